"""Vision scoring: real models on every photo, no stand-in numbers.

:class:`VisionScorer` decodes a photo once (upright, reduced to the working
size), runs every enabled model on it and returns a ``VisionScored`` record.
Each model sits behind the :class:`ModelSession` Protocol, one module each:

=========  ==========================================  ==========================
model      what                                        runs on
=========  ==========================================  ==========================
faces      MediaPipe BlazeFace full-range, + tiles     LiteRT (CPU)
nsfw       Yahoo open_nsfw                             ONNX Runtime (providers
                                                       as configured, CPU last)
labels     EfficientNet-Lite0: ImageNet top-5 +        LiteRT (CPU)
           1280-d embedding
brisque    BRISQUE no-reference quality                OpenCV contrib
technical  sharpness, exposure, clipping, contrast,    numpy / OpenCV
           colourfulness
hashes     pHash + dHash                               imagehash
=========  ==========================================  ==========================

The embedding travels int8-quantised in the record's ``embedding`` field
(``quantize_embedding``). ``quality`` is a derived technical-quality score
(see ``_quality``), not an aesthetic model. Model files never download: they
are vendored in ``models/`` or shipped inside a package, and each is checked
by sha256.
"""

from ._brisque import BrisqueScore, BrisqueScorer
from ._decode import decode_image
from ._embedding import cosine_similarity, dequantize_embedding, quantize_embedding
from ._errors import ModelLoadError
from ._faces import Face, FaceDetections, FaceDetector
from ._hashes import HashScorer, ImageHashes, hamming_distance
from ._labels import ImageLabels, LabelClassifier
from ._nsfw import NsfwClassifier, NsfwScore
from ._quality import QUALITY_VERSION, QualityScore, combine_quality
from ._runtime import CPU_PROVIDER, onnx_providers, provider_name
from ._scorer import MODEL_VERSION, VisionAnalysis, VisionScorer, shared_scorer
from ._settings import ALL_MODELS, DEFAULT_MAX_PIXELS, VisionSettings
from ._technical import TechnicalMeasures, TechnicalScorer
from ._types import ModelOutput, ModelSession, WorkingImage

__all__ = [
    "ALL_MODELS",
    "CPU_PROVIDER",
    "DEFAULT_MAX_PIXELS",
    "MODEL_VERSION",
    "QUALITY_VERSION",
    "BrisqueScore",
    "BrisqueScorer",
    "Face",
    "FaceDetections",
    "FaceDetector",
    "HashScorer",
    "ImageHashes",
    "ImageLabels",
    "LabelClassifier",
    "ModelLoadError",
    "ModelOutput",
    "ModelSession",
    "NsfwClassifier",
    "NsfwScore",
    "QualityScore",
    "TechnicalMeasures",
    "TechnicalScorer",
    "VisionAnalysis",
    "VisionScorer",
    "VisionSettings",
    "WorkingImage",
    "combine_quality",
    "cosine_similarity",
    "decode_image",
    "dequantize_embedding",
    "hamming_distance",
    "onnx_providers",
    "provider_name",
    "quantize_embedding",
    "shared_scorer",
]
