//! Drawing multipliers from a [`Spread`]: a ChaCha20 stream seeded from the engagement file,
//! and only IEEE arithmetic and the `libm` crate's functions (written in Rust, the same on
//! every platform), so that the same file gives the same draws everywhere.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::engagement::Spread;

/// z of the two-sided 95% interval of a normal distribution (the IPCC convention: a ±N%
/// uncertainty is 1.96 standard deviations).
pub const Z95: f64 = 1.96;

/// A stream of draws, seeded.
pub struct Stream(ChaCha20Rng);

impl Stream {
    /// The stream seeded with `seed` (the engagement file's SHA-256).
    pub fn new(seed: [u8; 32]) -> Stream {
        Stream(ChaCha20Rng::from_seed(seed))
    }

    /// A uniform number strictly between 0 and 1 (53 random bits, centred in their step).
    fn unit(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal number (Box-Muller, one of the pair).
    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.unit(), self.unit());
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    }
}

/// A spread prepared for drawing: its parameters as floats.
#[derive(Clone, Copy, Debug)]
pub enum Draw {
    /// 1 + z x `sd`.
    Normal {
        /// The standard deviation of the multiplier.
        sd: f64,
    },
    /// exp(z x `sigma`).
    Lognormal {
        /// ln of the geometric standard deviation.
        sigma: f64,
    },
    /// Triangular, mode 1.
    Triangular {
        /// Lowest multiplier.
        min: f64,
        /// Highest multiplier.
        max: f64,
    },
    /// Uniform.
    Uniform {
        /// Lowest multiplier.
        min: f64,
        /// Highest multiplier.
        max: f64,
    },
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

impl Draw {
    /// The spread's parameters, ready to draw.
    pub fn of(s: Spread) -> Draw {
        match s {
            Spread::Normal { half_width } => Draw::Normal {
                sd: f(half_width) / Z95,
            },
            Spread::Lognormal { gsd } => Draw::Lognormal {
                sigma: libm::log(f(gsd)),
            },
            Spread::Triangular { min, max } => Draw::Triangular {
                min: f(min),
                max: f(max),
            },
            Spread::Uniform { min, max } => Draw::Uniform {
                min: f(min),
                max: f(max),
            },
        }
    }

    /// One multiplier. A spread of zero width gives exactly 1.
    pub fn draw(self, s: &mut Stream) -> f64 {
        match self {
            Draw::Normal { sd } => 1.0 + s.normal() * sd,
            Draw::Lognormal { sigma } => libm::exp(s.normal() * sigma),
            Draw::Triangular { min, max } => {
                let u = s.unit();
                if max <= min {
                    return min;
                }
                let width = max - min;
                if u < (1.0 - min) / width {
                    min + libm::sqrt(u * width * (1.0 - min))
                } else {
                    max - libm::sqrt((1.0 - u) * width * (max - 1.0))
                }
            }
            Draw::Uniform { min, max } => min + s.unit() * (max - min),
        }
    }

    /// The standard deviation of the multiplier (for IPCC Approach 1).
    pub fn sd(self) -> f64 {
        match self {
            Draw::Normal { sd } => sd,
            Draw::Lognormal { sigma } => {
                let v = sigma * sigma;
                libm::sqrt(libm::exp(v) - 1.0) * libm::exp(v / 2.0)
            }
            Draw::Triangular { min, max } => {
                let (a, b, c) = (min, max, 1.0);
                libm::sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)
            }
            Draw::Uniform { min, max } => (max - min) / libm::sqrt(12.0),
        }
    }
}
