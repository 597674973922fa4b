//! `data_evaluation`, `improvements` and `attachments`: the verifier's assessment of the
//! data, suggestions to the client, and the files attached to the report.

use crate::diag::Path;
use crate::engagement::*;
use crate::input::model;

use super::Cx;

impl Cx<'_> {
    pub(super) fn data_evaluation(
        &mut self,
        d: &model::DataEvaluation,
        path: &Path,
    ) -> DataEvaluation {
        let mut one = |e: &Option<model::Evaluation>, key: &str| {
            let p = path.key(key);
            e.as_ref().map(|e| Evaluation {
                source: self.opt_text(&e.source, &p.key("source")),
                method: self.opt_text(&e.method, &p.key("method")),
                frequency: self.opt_text(&e.frequency, &p.key("frequency")),
                recording: self.opt_text(&e.recording, &p.key("recording")),
                missing: self.opt_text(&e.missing, &p.key("missing")),
                conclusion: self.opt_text(&e.conclusion, &p.key("conclusion")),
            })
        };
        DataEvaluation {
            output: one(&d.output, "output"),
            materials: one(&d.materials, "materials"),
            transport: one(&d.transport, "transport"),
            production: one(&d.production, "production"),
        }
    }

    /// The improvements suggested to the client, each a title and a text.
    pub(super) fn improvements(
        &mut self,
        items: &[model::Improvement],
        path: &Path,
    ) -> Vec<Improvement> {
        self.list(items, path, |cx, i, path| Improvement {
            title: cx.text(&i.title, &path.key("title")),
            text: cx.text(&i.text, &path.key("text")),
        })
    }

    /// The files attached to the report, each titled; they are checked, not read.
    pub(super) fn attachments(
        &mut self,
        items: &[model::Attachment],
        path: &Path,
    ) -> Vec<Attachment> {
        self.list(items, path, |cx, a, path| Attachment {
            title: cx.text(&a.title, &path.key("title")),
            file: cx.file(&a.file, &path.key("file"), false),
        })
    }
}
