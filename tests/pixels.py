"""Pixels of a rendered PNG, to compare two renders of a view in the tests."""
import io

import numpy as np
from PIL import Image


def decode_png(data):
    """PNG bytes as an array of RGB pixels."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
