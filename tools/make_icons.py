"""Draw the installable app's icons (static/fieldwork/icons/*.png): a white
roster (three lines, the first ticked) on the interface's blue. Run again
after changing the drawing; the PNGs are committed, and served by the app.

    .venv/bin/python tools/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (13, 110, 253, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "fieldwork" / "icons"


def draw(size: int, *, maskable: bool) -> Image.Image:
    """The icon at ``size`` pixels. A maskable icon fills its square (the
    phone cuts its own shape) and keeps the drawing inside the middle 80%."""
    scale = 4  # drawn large, then reduced: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle([0, 0, big, big], fill=BLUE)
        inset = big * 0.2
    else:
        pen.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.18, fill=BLUE)
        inset = big * 0.14
    box = big - 2 * inset
    line = box * 0.09
    for row in range(3):
        y = inset + box * (0.2 + row * 0.3)
        x0 = inset + box * 0.36
        pen.rounded_rectangle([x0, y - line / 2, inset + box * 0.95, y + line / 2], radius=line / 2, fill=WHITE)
        # The box in front of each line; the first one ticked.
        bx = inset + box * 0.05
        side = box * 0.2
        pen.rounded_rectangle(
            [bx, y - side / 2, bx + side, y + side / 2], radius=side * 0.18, outline=WHITE, width=int(line * 0.6)
        )
        if row == 0:
            pen.line(
                [(bx + side * 0.2, y), (bx + side * 0.45, y + side * 0.28), (bx + side * 0.85, y - side * 0.3)],
                fill=WHITE,
                width=int(line * 0.7),
                joint="curve",
            )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    draw(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    draw(32, maskable=False).save(OUT / "favicon-32.png", optimize=True)


if __name__ == "__main__":
    main()
