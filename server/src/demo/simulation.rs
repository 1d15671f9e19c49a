//! The demo's simulated history: Contoso's scripted and drawn events, and peer tenants in
//! every seat bucket, from one seeded generator so every load is the same.

use super::*;

/// Contoso actions whose history is written out below rather than drawn at random.
const CONTOSO_SCRIPTED: [&str; 13] = [
    "AdminMFAV2",
    "MFARegistrationV2",
    "BlockLegacyAuthentication",
    "DefenderSafeLinksPolicy",
    "TeamsExternalAccessRestricted",
    "DeviceEncryptionBitLocker",
    "DefenderAVRealTime",
    "MailboxAuditingEnabled",
    "SigninRiskPolicy",
    "UserRiskPolicy",
    "AttackSurfaceReductionRules",
    "SharePointExternalSharingLimited",
    "CloudAppDiscovery",
];

const INDUSTRIES: [&str; 7] =
    ["Technology", "Financial services", "Healthcare", "Retail", "Manufacturing", "Education", "Government"];
const NAME_HEADS: [&str; 11] = [
    "Alder",
    "Brightwater",
    "Cobalt",
    "Driftwood",
    "Evergreen",
    "Foxglove",
    "Granite",
    "Harbor",
    "Ironbridge",
    "Juniper",
    "Kestrel",
];
const NAME_TAILS: [&str; 4] = ["Logistics", "Health", "Partners", "Systems"];

/// SplitMix64: tiny, deterministic, good enough to vary demo data.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

pub(super) enum Event {
    Measure {
        action: String,
        count: u32,
        total: u32,
    },
    Status {
        action: String,
        status: Status,
        note: String,
        by: &'static str,
        assignee: Option<String>,
        due_in_days: Option<i64>,
    },
}

/// A tenant's first measurements as (action id, count, total).
pub(super) type Baseline = Vec<(String, u32, u32)>;
/// Events by day index (0 = first day of history).
pub(super) type Timeline = BTreeMap<u32, Vec<Event>>;

pub(super) struct SimTenant {
    pub(super) tenant: NewTenant,
    pub(super) id: String,
    pub(super) initial: Baseline,
    pub(super) events: Timeline,
}

fn uuid_from(rng: &mut Rng) -> String {
    let a = rng.next();
    let b = rng.next();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

fn unit_total(unit: Option<&str>, seats: u32, active: u32, rng: &mut Rng) -> u32 {
    match unit {
        None => 1,
        Some("users" | "accounts" | "mailboxes") => active.max(1),
        Some("devices") => (f64::from(seats) * 1.1).round() as u32 + 1,
        Some("sites") => 5 + seats / 50,
        Some("apps") => 3 + rng.below(40),
        Some("subscriptions") => 1 + rng.below(5),
        Some(_) => 10 + seats / 20,
    }
}

/// Random baseline and a few events per action, shaped by the tenant's maturity.
fn generate(
    actions: &[&ImprovementAction],
    seats: u32,
    active: u32,
    maturity: f64,
    rng: &mut Rng,
) -> (Baseline, Timeline) {
    let mut initial = Vec::new();
    let mut events: BTreeMap<u32, Vec<Event>> = BTreeMap::new();
    for a in actions {
        let total = unit_total(a.unit(), seats, active, rng);
        let share = (maturity + (rng.unit() - 0.5) * 0.4).clamp(0.0, 1.0);
        let count = if a.unit().is_none() {
            u32::from(rng.chance(maturity))
        } else {
            (f64::from(total) * share).round() as u32
        };
        initial.push((a.id.clone(), count, total));
        if count < total && rng.chance(0.35) {
            let day = 1 + rng.below(HISTORY_DAYS);
            let gain = ((f64::from(total - count)) * (0.5 + rng.unit() * 0.5)).round() as u32;
            events.entry(day).or_default().push(Event::Measure {
                action: a.id.clone(),
                count: (count + gain.max(1)).min(total),
                total,
            });
        } else if count > 0 && rng.chance(0.08) {
            let day = 1 + rng.below(HISTORY_DAYS);
            let loss = ((f64::from(count)) * (0.05 + rng.unit() * 0.2)).round() as u32;
            events.entry(day).or_default().push(Event::Measure {
                action: a.id.clone(),
                count: count - loss.max(1).min(count),
                total,
            });
        }
        let roll = rng.unit();
        let status = if roll < 0.03 {
            Some(Status::ThirdParty)
        } else if roll < 0.05 {
            Some(Status::RiskAccepted)
        } else if roll < 0.06 {
            Some(Status::AlternateMitigation)
        } else if roll < 0.10 {
            Some(Status::Planned)
        } else {
            None
        };
        if let Some(status) = status {
            let day = 1 + rng.below(HISTORY_DAYS);
            events.entry(day).or_default().push(Event::Status {
                action: a.id.clone(),
                status,
                note: "Reviewed in the monthly security meeting.".into(),
                by: ADMIN,
                assignee: None,
                due_in_days: (status == Status::Planned).then_some(30),
            });
        }
    }
    (initial, events)
}

pub(super) fn contoso(actions: &[&ImprovementAction], rng: &mut Rng, start: DateTime<Utc>) -> SimTenant {
    let (seats, active) = (1_200, 1_090);
    let (mut initial, mut events) = generate(actions, seats, active, 0.38, rng);
    // The scripted story: every action below is set explicitly, so its line is predictable.
    let set_initial = |initial: &mut Vec<(String, u32, u32)>, id: &str, count: u32, total: u32| {
        if let Some(e) = initial.iter_mut().find(|e| e.0 == id) {
            *e = (id.to_owned(), count, total);
        }
    };
    for (id, c, t) in [
        ("AdminMFAV2", 0, 1),
        ("MFARegistrationV2", 150, 900),
        ("BlockLegacyAuthentication", 0, 1),
        ("DefenderSafeLinksPolicy", 0, 1),
        ("TeamsExternalAccessRestricted", 0, 1),
        ("DeviceEncryptionBitLocker", 610, 640),
        ("DefenderAVRealTime", 700, 700),
        ("MailboxAuditingEnabled", 0, 1),
        ("SigninRiskPolicy", 0, 1),
        ("UserRiskPolicy", 0, 1),
        ("AttackSurfaceReductionRules", 200, 700),
    ] {
        set_initial(&mut initial, id, c, t);
    }
    for evs in events.values_mut() {
        evs.retain(|e| {
            let id = match e {
                Event::Measure { action, .. } | Event::Status { action, .. } => action.as_str(),
            };
            !CONTOSO_SCRIPTED.contains(&id)
        });
    }
    let mut at = |day: u32, e: Event| events.entry(day).or_default().push(e);
    let measure =
        |action: &str, count: u32, total: u32| Event::Measure { action: action.into(), count, total };
    at(15, measure("AdminMFAV2", 1, 1));
    for (i, count) in [240, 330, 410, 480, 560, 620, 700, 760, 780, 800, 820].into_iter().enumerate() {
        at(20 + 10 * i as u32, measure("MFARegistrationV2", count, 900));
    }
    at(45, measure("BlockLegacyAuthentication", 1, 1));
    at(60, measure("DefenderSafeLinksPolicy", 1, 1));
    at(130, measure("DeviceEncryptionBitLocker", 540, 700));
    at(150, measure("DefenderAVRealTime", 650, 700));
    at(178, measure("MailboxAuditingEnabled", 1, 1));
    // (day, action, status, note, by, a plan's assignee and days until it is due)
    let decisions = [
        (
            75,
            "SharePointExternalSharingLimited",
            Status::AlternateMitigation,
            "External sharing goes through the partner portal with its own review.",
            ADMIN,
            None,
        ),
        (
            100,
            "TeamsExternalAccessRestricted",
            Status::RiskAccepted,
            "Partners rely on federated chat; accepted by the CISO until the partner portal launches.",
            ADMIN,
            None,
        ),
        (
            160,
            "CloudAppDiscovery",
            Status::ThirdParty,
            "Shadow-IT discovery is covered by our secure web gateway vendor.",
            SECOPS,
            None,
        ),
        (
            170,
            "SigninRiskPolicy",
            Status::Planned,
            "Pilot with the IT department first.",
            SECOPS,
            Some((SECOPS, 20)),
        ),
        (
            170,
            "UserRiskPolicy",
            Status::Planned,
            "After the sign-in risk policy pilot.",
            SECOPS,
            Some((SECOPS, 35)),
        ),
        (
            172,
            "AttackSurfaceReductionRules",
            Status::Planned,
            "Audit mode for two weeks, then block.",
            ADMIN,
            Some(("devices-team@contoso.example", 60)),
        ),
    ];
    for (day, action, status, note, by, plan) in decisions {
        let (assignee, due_in_days) = (plan.map(|p| p.0.to_owned()), plan.map(|p| p.1));
        at(
            day,
            Event::Status { action: action.into(), status, note: note.into(), by, assignee, due_in_days },
        );
    }
    SimTenant {
        tenant: NewTenant {
            id: Some(CONTOSO_ID.into()),
            name: "Contoso".into(),
            licensed_seats: seats,
            active_users: active,
            industry: "Technology".into(),
            enabled_services: vec![
                "Exchange Online".into(),
                "SharePoint Online".into(),
                "Teams".into(),
                "Intune".into(),
            ],
            created_at: start,
        },
        id: CONTOSO_ID.into(),
        initial,
        events,
    }
}

pub(super) fn peer(i: u32, actions: &[&ImprovementAction], rng: &mut Rng, start: DateTime<Utc>) -> SimTenant {
    let bucket = score::comparison::SEAT_BUCKETS[(i % 8) as usize];
    let hi = bucket.1.min(40_000);
    let seats = bucket.0 + rng.below(hi - bucket.0 + 1);
    let active = ((f64::from(seats)) * (0.8 + rng.unit() * 0.2)).round().max(1.0) as u32;
    let maturity = 0.15 + rng.unit() * 0.75;
    let (initial, events) = generate(actions, seats, active, maturity, rng);
    let id = uuid_from(rng);
    let name = format!("{} {}", NAME_HEADS[(i % 11) as usize], NAME_TAILS[(i / 11 % 4) as usize]);
    SimTenant {
        tenant: NewTenant {
            id: Some(id.clone()),
            name,
            licensed_seats: seats,
            active_users: active,
            industry: INDUSTRIES[(i % 7) as usize].into(),
            enabled_services: vec!["Exchange Online".into(), "SharePoint Online".into()],
            created_at: start,
        },
        id,
        initial,
        events,
    }
}
