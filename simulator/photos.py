"""Photo sizes the way Telegram keeps them: re-encoded JPEGs, a small one and a large one."""

from __future__ import annotations

import io

from simulator.errors import bad_request

_SIDES = (320, 1280)


def photo_sizes(data: bytes) -> list[tuple[bytes, int, int]]:
    """(jpeg, width, height) for each size, smallest first; 400 IMAGE_PROCESS_FAILED if not a photo."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        return [(data, 0, 0)]
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            original = image.convert("RGB")
    except Exception as exc:
        raise bad_request("IMAGE_PROCESS_FAILED") from exc
    sizes: list[tuple[bytes, int, int]] = []
    longest = max(original.size)
    for side in _SIDES:
        copy = original.copy()
        if longest > side:
            copy.thumbnail((side, side))
        buffer = io.BytesIO()
        copy.save(buffer, "JPEG", quality=85)
        sizes.append((buffer.getvalue(), copy.width, copy.height))
        if longest <= side:
            break
    return sizes
