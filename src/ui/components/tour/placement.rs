//! Where the popover goes: beside the spotlight when there is room, flipped or pinned to an edge
//! when not, and always on screen. Pure geometry, so it is unit-tested without a browser.

/// The popover keeps this far from the viewport's edges.
const EDGE: f64 = 12.0;
/// And this far from the spotlight.
const GAP: f64 = 12.0;

/// A CSS length in whole pixels. Whole numbers keep the float formatter out of the browser
/// bundle, and a sub-pixel never mattered to a popover.
pub fn px(value: f64) -> String {
    format!("{}px", value.round() as i64)
}

/// A rectangle in viewport coordinates (CSS pixels).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn new(left: f64, top: f64, width: f64, height: f64) -> Rect {
        Rect {
            left,
            top,
            width,
            height,
        }
    }

    pub fn right(self) -> f64 {
        self.left + self.width
    }

    pub fn bottom(self) -> f64 {
        self.top + self.height
    }

    pub fn center_x(self) -> f64 {
        self.left + self.width / 2.0
    }

    pub fn center_y(self) -> f64 {
        self.top + self.height / 2.0
    }

    pub fn union(self, other: Rect) -> Rect {
        let left = self.left.min(other.left);
        let top = self.top.min(other.top);
        Rect::new(
            left,
            top,
            self.right().max(other.right()) - left,
            self.bottom().max(other.bottom()) - top,
        )
    }

    /// The overlap, or `None` when there is none.
    pub fn intersect(self, other: Rect) -> Option<Rect> {
        let left = self.left.max(other.left);
        let top = self.top.max(other.top);
        let right = self.right().min(other.right());
        let bottom = self.bottom().min(other.bottom());
        (right > left && bottom > top).then(|| Rect::new(left, top, right - left, bottom - top))
    }

    pub fn inflate(self, by: f64) -> Rect {
        Rect::new(
            self.left - by,
            self.top - by,
            self.width + 2.0 * by,
            self.height + 2.0 * by,
        )
    }
}

/// Where the popover went relative to the spotlight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Below,
    Above,
    Right,
    Left,
    /// Nothing fits beside the target (a tall one, a phone): pinned to the viewport's bottom or
    /// top edge, whichever half the target leaves freer.
    Over,
    /// No target: the middle of the viewport.
    Center,
}

/// The popover's side and top-left corner. `hole` is the visible part of the spotlight; the
/// result always lies within the viewport (minus [`EDGE`]) as far as the popover's size allows.
pub fn place_popover(
    hole: Option<Rect>,
    popover: (f64, f64),
    viewport: (f64, f64),
) -> (Side, f64, f64) {
    let (width, height) = popover;
    let (viewport_width, viewport_height) = viewport;
    let clamp_x = |x: f64| x.min(viewport_width - width - EDGE).max(EDGE);
    let clamp_y = |y: f64| y.min(viewport_height - height - EDGE).max(EDGE);
    let Some(hole) = hole else {
        return (
            Side::Center,
            clamp_x((viewport_width - width) / 2.0),
            clamp_y((viewport_height - height) / 2.0),
        );
    };
    let centered_x = clamp_x(hole.center_x() - width / 2.0);
    let centered_y = clamp_y(hole.center_y() - height / 2.0);
    // Clamped even when it "fits", for a target (partly) outside the viewport.
    if viewport_height - hole.bottom() - GAP - EDGE >= height {
        (Side::Below, centered_x, clamp_y(hole.bottom() + GAP))
    } else if hole.top - GAP - EDGE >= height {
        (Side::Above, centered_x, clamp_y(hole.top - GAP - height))
    } else if viewport_width - hole.right() - GAP - EDGE >= width {
        (Side::Right, clamp_x(hole.right() + GAP), centered_y)
    } else if hole.left - GAP - EDGE >= width {
        (Side::Left, clamp_x(hole.left - GAP - width), centered_y)
    } else if hole.center_y() < viewport_height / 2.0 {
        (
            Side::Over,
            centered_x,
            clamp_y(viewport_height - height - EDGE),
        )
    } else {
        (Side::Over, centered_x, EDGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEWPORT: (f64, f64) = (1280.0, 720.0);
    const PHONE: (f64, f64) = (390.0, 844.0);
    const POPOVER: (f64, f64) = (384.0, 200.0);

    #[test]
    fn popover_placement_table() {
        // (target, popover, viewport, side, left, top)
        let cases = [
            // Room below: under the target, centered on it.
            (
                Some(Rect::new(500.0, 100.0, 200.0, 40.0)),
                POPOVER,
                VIEWPORT,
                Side::Below,
                408.0,
                152.0,
            ),
            // Near the bottom: above it.
            (
                Some(Rect::new(500.0, 600.0, 200.0, 40.0)),
                POPOVER,
                VIEWPORT,
                Side::Above,
                408.0,
                388.0,
            ),
            // Near the left edge: clamped to the viewport.
            (
                Some(Rect::new(0.0, 100.0, 40.0, 40.0)),
                POPOVER,
                VIEWPORT,
                Side::Below,
                EDGE,
                152.0,
            ),
            // Tall target with room on its right.
            (
                Some(Rect::new(100.0, 20.0, 400.0, 680.0)),
                POPOVER,
                VIEWPORT,
                Side::Right,
                512.0,
                260.0,
            ),
            // Tall target on a right-hand side: its left.
            (
                Some(Rect::new(800.0, 20.0, 400.0, 680.0)),
                POPOVER,
                VIEWPORT,
                Side::Left,
                404.0,
                260.0,
            ),
            // A phone and a target filling the screen: pinned to the bottom edge.
            (
                Some(Rect::new(10.0, 0.0, 370.0, 800.0)),
                (366.0, 260.0),
                PHONE,
                Side::Over,
                EDGE,
                572.0,
            ),
            // No target: centered.
            (None, POPOVER, VIEWPORT, Side::Center, 448.0, 260.0),
            // A popover taller than the viewport keeps its top on screen.
            (None, (366.0, 900.0), PHONE, Side::Center, EDGE, EDGE),
        ];
        for (target, popover, viewport, side, left, top) in cases {
            assert_eq!(
                place_popover(target, popover, viewport),
                (side, left, top),
                "{target:?} {popover:?} in {viewport:?}"
            );
        }
    }

    #[test]
    fn placement_stays_on_screen() {
        for viewport in [VIEWPORT, PHONE, (320.0, 480.0)] {
            for y in (0..=900).step_by(50) {
                for x in (0..=1300).step_by(100) {
                    let target = Rect::new(f64::from(x), f64::from(y), 120.0, 40.0);
                    let popover = (viewport.0.min(384.0 + 2.0 * EDGE) - 2.0 * EDGE, 220.0);
                    let (_, left, top) = place_popover(Some(target), popover, viewport);
                    assert!(
                        left >= EDGE && left + popover.0 <= viewport.0 - EDGE + 0.01,
                        "{x},{y} in {viewport:?}"
                    );
                    assert!(
                        top >= EDGE && top + popover.1 <= viewport.1 - EDGE + 0.01,
                        "{x},{y} in {viewport:?}"
                    );
                }
            }
        }
    }
}
