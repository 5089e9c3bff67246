"""The classifier's old address: its code is `gongzhi.lib.text.classifier` now.

Versions pickled before the move (`ClassifierVersion.model_file`) name the model's class and its
preprocessors by this module's path, and pickle looks them up here; new versions name the new module.
Import the classifier from `gongzhi.lib.text.classifier`, never from here.
"""

from __future__ import annotations

from gongzhi.lib.text.classifier import TrainedClassifier, char_preprocessor, word_preprocessor

__all__ = ["TrainedClassifier", "char_preprocessor", "word_preprocessor"]
