//! Plane geometry shared by the stages: points, quadrilaterals and the perspective maps between them.
//!
//! Coordinates are `f32` pixels with the origin at the top-left corner of the image, x to the right
//! and y down. A [`Quad`] lists its corners clockwise from the top-left one *of the text it frames*:
//! for text upside down in the image, corner 0 is at the image's bottom-right.

/// A point `[x, y]` in pixels.
pub type Point = [f32; 2];

/// Four corners, clockwise from the text's top-left: top-left, top-right, bottom-right, bottom-left.
pub type Quad = [Point; 4];

/// Euclidean distance between two points.
pub fn dist(a: Point, b: Point) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// A rectangle at any angle: its centre, the unit vector along its long side, and half its sides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RotatedRect {
    pub center: Point,
    /// Unit vector along the long side (the text's direction for a text line), x >= 0.
    pub axis: Point,
    /// Half the length along `axis`.
    pub half_len: f32,
    /// Half the length across `axis`.
    pub half_height: f32,
}

impl RotatedRect {
    /// The unit vector across the rectangle, 90 degrees clockwise (in image coordinates) from
    /// `axis`, so that for an upright line it points down.
    pub fn normal(&self) -> Point {
        [-self.axis[1], self.axis[0]]
    }

    /// The point at `t` along the axis and `s` across it, measured from the centre.
    pub fn at(&self, t: f32, s: f32) -> Point {
        let n = self.normal();
        [
            self.center[0] + t * self.axis[0] + s * n[0],
            self.center[1] + t * self.axis[1] + s * n[1],
        ]
    }

    /// Area in square pixels.
    pub fn area(&self) -> f32 {
        4.0 * self.half_len * self.half_height
    }

    /// Length of the shorter side.
    pub fn short_side(&self) -> f32 {
        2.0 * self.half_len.min(self.half_height)
    }

    /// The same rectangle grown by `d` on every side.
    pub fn grown(&self, d: f32) -> Self {
        Self {
            half_len: self.half_len + d,
            half_height: self.half_height + d,
            ..*self
        }
    }

    /// Corners in PaddleOCR's order: of the two leftmost corners the upper is first and the lower
    /// last; of the two rightmost the upper is second and the lower third. For a line at a small
    /// angle that is top-left, top-right, bottom-right, bottom-left.
    pub fn corners(&self) -> Quad {
        let (a, b) = (self.half_len, self.half_height);
        let mut pts = [
            self.at(-a, -b),
            self.at(a, -b),
            self.at(a, b),
            self.at(-a, b),
        ];
        pts.sort_by(|p, q| p[0].total_cmp(&q[0]));
        let (l0, l1) = if pts[0][1] <= pts[1][1] {
            (pts[0], pts[1])
        } else {
            (pts[1], pts[0])
        };
        let (r0, r1) = if pts[2][1] <= pts[3][1] {
            (pts[2], pts[3])
        } else {
            (pts[3], pts[2])
        };
        [l0, r0, r1, l1]
    }
}

/// The convex hull of a point set, counter-clockwise in a y-up frame (Andrew's monotone chain).
pub fn convex_hull(points: &[Point]) -> Vec<Point> {
    let mut pts: Vec<Point> = points.to_vec();
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: Point, a: Point, b: Point| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut hull: Vec<Point> = Vec::with_capacity(2 * pts.len());
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &Point>> = if pass == 0 {
            Box::new(pts.iter())
        } else {
            Box::new(pts.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

/// The rectangle of least area that contains every point (rotating calipers over the hull's
/// edges). `None` for an empty set; a degenerate set gives a rectangle with a zero side.
pub fn min_area_rect(points: &[Point]) -> Option<RotatedRect> {
    let hull = convex_hull(points);
    let first = *hull.first()?;
    if hull.len() == 1 {
        return Some(RotatedRect {
            center: first,
            axis: [1.0, 0.0],
            half_len: 0.0,
            half_height: 0.0,
        });
    }
    let mut best: Option<(f32, RotatedRect)> = None;
    for i in 0..hull.len() {
        let (p, q) = (hull[i], hull[(i + 1) % hull.len()]);
        let len = dist(p, q);
        if len <= f32::EPSILON {
            continue;
        }
        let u = [(q[0] - p[0]) / len, (q[1] - p[1]) / len];
        let n = [-u[1], u[0]];
        let (mut t0, mut t1, mut s0, mut s1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for h in &hull {
            let t = h[0] * u[0] + h[1] * u[1];
            let s = h[0] * n[0] + h[1] * n[1];
            (t0, t1, s0, s1) = (t0.min(t), t1.max(t), s0.min(s), s1.max(s));
        }
        let area = (t1 - t0) * (s1 - s0);
        if best.as_ref().is_none_or(|(a, _)| area < *a) {
            let (tc, sc) = ((t0 + t1) / 2.0, (s0 + s1) / 2.0);
            let center = [tc * u[0] + sc * n[0], tc * u[1] + sc * n[1]];
            best = Some((
                area,
                RotatedRect::from_sides(center, u, (t1 - t0) / 2.0, (s1 - s0) / 2.0),
            ));
        }
    }
    best.map(|(_, r)| r)
}

impl RotatedRect {
    /// Builds a rectangle from a direction and the half sides along and across it, turning the
    /// axis so that it runs along the longer side and points right.
    pub fn from_sides(center: Point, u: Point, half_u: f32, half_n: f32) -> Self {
        let (mut axis, half_len, half_height) = if half_u >= half_n {
            (u, half_u, half_n)
        } else {
            ([-u[1], u[0]], half_n, half_u)
        };
        if axis[0] < 0.0 || (axis[0] == 0.0 && axis[1] < 0.0) {
            axis = [-axis[0], -axis[1]];
        }
        Self {
            center,
            axis,
            half_len,
            half_height,
        }
    }
}

/// Whether `p` lies inside (or on) the convex quadrilateral `q`, whichever way round it turns.
pub fn quad_contains(q: &Quad, p: Point) -> bool {
    let mut sign = 0.0f32;
    for i in 0..4 {
        let (a, b) = (q[i], q[(i + 1) % 4]);
        let c = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
        if c != 0.0 {
            if sign != 0.0 && c.signum() != sign {
                return false;
            }
            sign = c.signum();
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_area_rect_of_a_tilted_rectangle_recovers_its_sides() {
        let angle = 10f32.to_radians();
        let u = [angle.cos(), angle.sin()];
        let r = RotatedRect {
            center: [50.0, 40.0],
            axis: u,
            half_len: 30.0,
            half_height: 5.0,
        };
        let mut pts = Vec::new();
        for i in 0..=60 {
            for j in 0..=10 {
                pts.push(r.at(i as f32 - 30.0, j as f32 - 5.0));
            }
        }
        let m = min_area_rect(&pts).expect("points");
        assert!((m.half_len - 30.0).abs() < 0.01, "{m:?}");
        assert!((m.half_height - 5.0).abs() < 0.01, "{m:?}");
        assert!(
            (m.axis[0] - u[0]).abs() < 1e-3 && (m.axis[1] - u[1]).abs() < 1e-3,
            "{m:?}"
        );
        assert!(dist(m.center, r.center) < 0.01);
    }

    #[test]
    fn corners_come_in_reading_order_for_an_upright_box() {
        let r = RotatedRect {
            center: [10.0, 10.0],
            axis: [1.0, 0.0],
            half_len: 8.0,
            half_height: 2.0,
        };
        assert_eq!(
            r.corners(),
            [[2.0, 8.0], [18.0, 8.0], [18.0, 12.0], [2.0, 12.0]]
        );
    }

    #[test]
    fn quad_contains_inside_and_not_outside() {
        let q = [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]];
        assert!(quad_contains(&q, [5.0, 2.0]));
        assert!(!quad_contains(&q, [11.0, 2.0]));
        let reversed = [q[3], q[2], q[1], q[0]];
        assert!(quad_contains(&reversed, [5.0, 2.0]));
    }
}
