//! The life-cycle stages as data: what each is called, where its lines are written, and in
//! what order it comes. Everything that goes stage by stage (results, JSON, workbook, diff,
//! report) iterates over a boundary's stages; adding a stage is adding an entry here.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use serde::Serialize;
use serde::ser::SerializeMap;

use super::Bi;
pub use crate::input::model::BoundaryKind;

/// A text in both languages, fixed when the program is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Words {
    /// The Chinese text.
    pub zh: &'static str,
    /// The English text.
    pub en: &'static str,
}

impl From<Words> for Bi {
    fn from(w: Words) -> Bi {
        Bi {
            zh: w.zh.into(),
            en: w.en.into(),
        }
    }
}

/// One life-cycle stage. Two stages are the same stage when their order and key agree;
/// stages sort in canonical (life-cycle) order.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Stage {
    /// The key used in files, JSON, the workbook and `diff` (`materials`, `end-of-life`).
    pub key: &'static str,
    /// The stage's place in the life cycle: stages are listed by it. The registry's are 10
    /// apart, so that a stage can come between two.
    pub order: u8,
    /// The stage's name in the report (the seed's wording: `原材料获取`).
    pub names: Words,
    /// The shorter name in captions and subtotals (`产品生产` for `产品生产制造`).
    pub short: Words,
    /// What its emissions are, for the table of emission sources.
    pub description: Words,
    /// The heading of the column that names a line in its emissions table.
    pub item: Words,
    /// True when its lines are freight (`mass x distance x factor`), not activity x factor.
    pub freight: bool,
    /// The lists on a product whose lines belong to it, the usual one first.
    pub inventory_keys: &'static [&'static str],
}

impl Stage {
    /// Raw material acquisition.
    pub const MATERIALS: Stage = Stage {
        key: "materials",
        order: 10,
        names: Words {
            zh: "原材料获取",
            en: "Raw material acquisition",
        },
        short: Words {
            zh: "原材料获取",
            en: "Raw material acquisition",
        },
        description: Words {
            zh: "原材料隐含的排放",
            en: "Emissions embodied in raw materials",
        },
        item: Words {
            zh: "原材料",
            en: "Material",
        },
        freight: false,
        inventory_keys: &["materials"],
    };

    /// Transport of the raw materials to the site.
    pub const TRANSPORT: Stage = Stage {
        key: "transport",
        order: 20,
        names: Words {
            zh: "原材料运输",
            en: "Raw material transport",
        },
        short: Words {
            zh: "原材料运输",
            en: "Raw material transport",
        },
        description: Words {
            zh: "原材料物流运输排放",
            en: "Emissions of raw material transport",
        },
        item: Words {
            zh: "原材料",
            en: "Material",
        },
        freight: true,
        inventory_keys: &["transport"],
    };

    /// Production at the site: energy and direct process emissions.
    pub const PRODUCTION: Stage = Stage {
        key: "production",
        order: 30,
        names: Words {
            zh: "产品生产制造",
            en: "Production",
        },
        short: Words {
            zh: "产品生产",
            en: "Production",
        },
        description: Words {
            zh: "生产设施及配套设施排放",
            en: "Emissions of production and auxiliary facilities",
        },
        item: Words {
            zh: "能源/排放源",
            en: "Source",
        },
        freight: false,
        inventory_keys: &["energy", "process"],
    };

    /// Distribution of the product (cradle to grave, or a partial boundary that lists it).
    pub const DISTRIBUTION: Stage = Stage {
        key: "distribution",
        order: 40,
        names: Words {
            zh: "产品分销",
            en: "Distribution",
        },
        short: Words {
            zh: "产品分销",
            en: "Distribution",
        },
        description: Words {
            zh: "产品分销运输排放",
            en: "Emissions of product distribution",
        },
        item: Words {
            zh: "产品",
            en: "Product",
        },
        freight: true,
        inventory_keys: &["distribution"],
    };

    /// Use of the product (cradle to grave, or a partial boundary that lists it).
    pub const USE: Stage = Stage {
        key: "use",
        order: 50,
        names: Words {
            zh: "产品使用",
            en: "Use",
        },
        short: Words {
            zh: "产品使用",
            en: "Use",
        },
        description: Words {
            zh: "产品使用过程的排放",
            en: "Emissions of the product in use",
        },
        item: Words {
            zh: "能源/排放源",
            en: "Source",
        },
        freight: false,
        inventory_keys: &["use"],
    };

    /// End-of-life treatment (cradle to grave, or a partial boundary that lists it).
    pub const END_OF_LIFE: Stage = Stage {
        key: "end-of-life",
        order: 60,
        names: Words {
            zh: "生命末期处置",
            en: "End of life",
        },
        short: Words {
            zh: "生命末期处置",
            en: "End of life",
        },
        description: Words {
            zh: "产品废弃处置的排放",
            en: "Emissions of end-of-life treatment",
        },
        item: Words {
            zh: "处置方式",
            en: "Treatment",
        },
        freight: false,
        inventory_keys: &["end_of_life"],
    };

    /// Every stage the tool knows, in canonical order.
    pub const REGISTRY: [Stage; 6] = [
        Stage::MATERIALS,
        Stage::TRANSPORT,
        Stage::PRODUCTION,
        Stage::DISTRIBUTION,
        Stage::USE,
        Stage::END_OF_LIFE,
    ];

    /// The registered stage with this key.
    pub fn by_key(key: &str) -> Option<Stage> {
        Stage::REGISTRY.into_iter().find(|s| s.key == key)
    }

    /// The stage's name in the report, in both languages.
    pub fn name(self) -> Bi {
        self.names.into()
    }

    /// The list on a product where its lines are usually written (`energy` for production).
    pub fn inventory_key(self) -> &'static str {
        self.inventory_keys.first().copied().unwrap_or(self.key)
    }
}

impl PartialEq for Stage {
    fn eq(&self, other: &Stage) -> bool {
        self.order == other.order && self.key == other.key
    }
}

impl Eq for Stage {}

impl Hash for Stage {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.order.hash(state);
        self.key.hash(state);
    }
}

impl PartialOrd for Stage {
    fn partial_cmp(&self, other: &Stage) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Stage {
    fn cmp(&self, other: &Stage) -> Ordering {
        (self.order, self.key).cmp(&(other.order, other.key))
    }
}

impl BoundaryKind {
    /// The boundary's stages, in canonical order. A `partial` boundary lists its own (a
    /// subset of the registry, read from the file); this gives every stage it may list.
    pub fn stages(self) -> Vec<Stage> {
        match self {
            BoundaryKind::CradleToGate => {
                vec![Stage::MATERIALS, Stage::TRANSPORT, Stage::PRODUCTION]
            }
            BoundaryKind::GateToGate => vec![Stage::PRODUCTION],
            BoundaryKind::CradleToGrave | BoundaryKind::Partial => Stage::REGISTRY.to_vec(),
        }
    }

    /// The key used in files (`cradle-to-gate`), and in the wording catalogue
    /// (`boundary.cradle-to-gate`).
    pub fn key(self) -> &'static str {
        match self {
            BoundaryKind::CradleToGate => "cradle-to-gate",
            BoundaryKind::CradleToGrave => "cradle-to-grave",
            BoundaryKind::GateToGate => "gate-to-gate",
            BoundaryKind::Partial => "partial",
        }
    }

    /// Every boundary type, in the order the format lists them.
    pub const ALL: [BoundaryKind; 4] = [
        BoundaryKind::CradleToGate,
        BoundaryKind::CradleToGrave,
        BoundaryKind::GateToGate,
        BoundaryKind::Partial,
    ];

    /// The boundary's name in the report: the built-in wording of
    /// `boundary.<key>` in the catalogue.
    pub fn names(self) -> Words {
        match self {
            BoundaryKind::CradleToGate => Words {
                zh: "从摇篮到大门",
                en: "Cradle to gate",
            },
            BoundaryKind::CradleToGrave => Words {
                zh: "从摇篮到坟墓",
                en: "Cradle to grave",
            },
            BoundaryKind::GateToGate => Words {
                zh: "从大门到大门",
                en: "Gate to gate",
            },
            BoundaryKind::Partial => Words {
                zh: "部分生命周期",
                en: "Partial life cycle",
            },
        }
    }
}

/// One value per stage of a boundary, in the boundary's (canonical) order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageMap<T>(Vec<(Stage, T)>);

impl<T> StageMap<T> {
    /// A value for each of `stages`, in their order.
    pub fn new(stages: &[Stage], mut value: impl FnMut(Stage) -> T) -> StageMap<T> {
        StageMap(stages.iter().map(|&s| (s, value(s))).collect())
    }

    /// The value of `stage`, when it is one of the map's stages.
    pub fn get(&self, stage: Stage) -> Option<&T> {
        self.0.iter().find(|(s, _)| *s == stage).map(|(_, v)| v)
    }

    /// The value of `stage` to change, when it is one of the map's stages.
    pub fn get_mut(&mut self, stage: Stage) -> Option<&mut T> {
        self.0.iter_mut().find(|(s, _)| *s == stage).map(|(_, v)| v)
    }

    /// The stages with their values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (Stage, &T)> {
        self.0.iter().map(|(s, v)| (*s, v))
    }

    /// The values, in stage order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().map(|(_, v)| v)
    }

    /// The stages, in order.
    pub fn stages(&self) -> impl Iterator<Item = Stage> + '_ {
        self.0.iter().map(|(s, _)| *s)
    }

    /// The same stages with each value transformed.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> StageMap<U> {
        StageMap(self.0.into_iter().map(|(s, v)| (s, f(v))).collect())
    }

    /// How many stages.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the map has no stage.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A JSON object keyed by stage key, in stage order.
impl<T: Serialize> Serialize for StageMap<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (s, v) in &self.0 {
            map.serialize_entry(s.key, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_is_in_canonical_order_with_distinct_keys() {
        let r = Stage::REGISTRY;
        assert!(r.windows(2).all(|w| w[0] < w[1] && w[0].order < w[1].order));
        for s in r {
            assert_eq!(Stage::by_key(s.key), Some(s));
            assert!(!s.inventory_keys.is_empty());
        }
        assert_eq!(Stage::PRODUCTION.inventory_key(), "energy");
        assert_eq!(
            BoundaryKind::CradleToGate.stages(),
            [Stage::MATERIALS, Stage::TRANSPORT, Stage::PRODUCTION]
        );
    }

    #[test]
    fn a_stage_map_serializes_in_stage_order() {
        let m = StageMap::new(&[Stage::MATERIALS, Stage::END_OF_LIFE], |s| s.order);
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"materials":10,"end-of-life":60}"#
        );
        assert_eq!(m.get(Stage::END_OF_LIFE), Some(&60));
        assert_eq!(m.get(Stage::USE), None);
    }
}
