//! Services on one side only: a deployed service the model does not have (I005), and a
//! service of the model that the deployed files do not run (I006). docs/drift.md says
//! what each reports and why some are information or not reported.

use super::deployed_location;
use crate::codes::{SERVICE_NOT_DEPLOYED, SERVICE_NOT_IN_MODEL};
use crate::finding::{Finding, Severity};
use crate::import::asyncapi::PLACEHOLDER;
use crate::import::{names_a_datastore, Imported, ImportedService};
use crate::model::fields::Field;
use crate::model::types::ServiceKind;
use crate::model::Model;

pub(super) fn compare(model: &Model, deployed: &Imported, findings: &mut Vec<Finding>) {
    for (name, service) in &deployed.services {
        if name != PLACEHOLDER && model.service(name).is_none() {
            findings.push(not_in_model(model, name, service));
        }
    }
    if !deployed.lists_services {
        return;
    }
    let mut names: Vec<&str> = model.services.keys().map(String::as_str).collect();
    names.sort_unstable();
    for name in names {
        let Some(decl) = model.service(name) else {
            continue;
        };
        let outside = matches!(
            decl.service.kind,
            Some(ServiceKind::External | ServiceKind::Client)
        );
        if outside || names_a_datastore(name) || deployed.services.contains_key(name) {
            continue;
        }
        findings.push(
            Finding::new(
                &SERVICE_NOT_DEPLOYED,
                format!("service `{name}` of the model is not among the services the deployed files run"),
            )
            .help("remove or rename it if it is gone; give the files that deploy it (`--from` is repeatable); mark it `kind: external` if it is not part of the deployed system")
            .service(name.to_string())
            .at(model.at(&decl.origin, Field::ITSELF))
            .label("not deployed by the files given"),
        );
    }
}

/// A deployed datastore, broker, load generator or DNS alias (kind `external` or
/// `client`) is infrastructure a model may leave out on purpose: information only.
fn not_in_model(model: &Model, name: &str, service: &ImportedService) -> Finding {
    let infrastructure = matches!(
        service.service.kind,
        Some(ServiceKind::External | ServiceKind::Client)
    );
    let what = match (&service.service.description, service.service.kind) {
        (Some(d), _) => format!(" ({d})"),
        (None, Some(kind)) => format!(" (kind `{}`)", kind.as_str()),
        (None, None) => String::new(),
    };
    let mut finding = Finding::new(
        &SERVICE_NOT_IN_MODEL,
        format!("the deployed configuration runs a service `{name}`{what} that the model does not have"),
    )
    .help("add the service to the model (`commsplan import … --merge FILE` adds it with the calls that name it), or rename the model's service to the deployed name")
    .service(name.to_string())
    .at(deployed_location(&service.source))
    .label("deployed service");
    if infrastructure {
        finding.severity = Severity::Info;
    }
    if let Some(file) = model.files.first() {
        if let Some(spans) = &file.spans {
            finding = finding.related(
                file.key_location(spans, "/services"),
                "the model's services",
            );
        }
    }
    finding
}
