//! The fields of the Vipunen resources with a dedicated decoder: what a decoder needs (a row
//! without one is schema drift) and what the resource is documented to have (anything else is
//! a new field, a warning).

/// The enrolment resource: students, new students and graduates per provider and qualification.
pub const ENROLMENT_RESOURCE: &str = "amm_opiskelijat_ja_tutkinnot_vuosi_tutkinto";
/// The joint-application resource: start places, applicants, selected, accepted and enrolled
/// per application option.
pub const APPLICANTS_RESOURCE: &str = "perusopetuksen_jalkeinen_koulutus_hakeneet_ja_paikan_vastaanottaneet";

/// Fields the enrolment decoder needs; a snapshot whose rows lack one has drifted.
pub const ENROLMENT_FIELDS: [&str; 7] = [
    "tilastovuosi",
    "koodiTutkinto",
    "koodiKoulutuksenJarjestaja",
    "koulutuksenJarjestaja",
    "uudetOpiskelijatLkm",
    "opiskelijatLkm",
    "tutkinnonSuorittaneetLkm",
];

/// Fields the applicants decoder needs (the resource's own names: `koodit…`, plural, and no
/// `tilastovuosi`).
pub const APPLICANT_FIELDS: [&str; 9] = [
    "koulutuksenAlkamisvuosi",
    "kooditTutkintoHakukohde",
    "kooditKoulutuksenJarjestaja",
    "aloituspaikatLkm",
    "kaikkiHakijatLkm",
    "ensisijaisetHakijatLkm",
    "valitutLkm",
    "paikanVastaanottaneetLkm",
    "aloittaneetLkm",
];

/// Every field of the applicants resource as its load procedure documents it (one row per
/// application option × start year and term × application round × provider × school × site).
const APPLICANT_KNOWN_FIELDS: [&str; 29] = [
    "koulutuksenAlkamisvuosi",
    "koulutuksenAlkamiskausi",
    "haku",
    "hakukohde",
    "hakutapa",
    "koulutusasteTaso1",
    "koulutusasteTaso2",
    "koulutusalaTaso1",
    "koulutusalaTaso2",
    "koulutusalaTaso3",
    "tutkintoHakukohde",
    "koulutuksenKieli",
    "maakuntaHakukohde",
    "kuntaHakukohde",
    "koulutuksenJarjestaja",
    "oppilaitos",
    "toimipiste",
    "kooditTutkintoHakukohde",
    "kooditKuntaHakukohde",
    "kooditKoulutuksenJarjestaja",
    "kooditOppilaitos",
    "kooditHakukohde",
    "aloituspaikatLkm",
    "kaikkiHakijatLkm",
    "ensisijaisetHakijatLkm",
    "valitutLkm",
    "paikanVastaanottaneetLkm",
    "aloittaneetLkm",
    // Not confirmed for this resource (the enrolment one has it): optional.
    "tietojoukkoPaivitettyPvm",
];

/// The counts of the applicants frame, in order: the resource's field and the frame's column.
pub const APPLICANT_COUNTS: [(&str, &str); 6] = [
    ("aloituspaikatLkm", "start_places"),
    ("kaikkiHakijatLkm", "applicants"),
    ("ensisijaisetHakijatLkm", "first_choice_applicants"),
    ("valitutLkm", "selected"),
    ("paikanVastaanottaneetLkm", "accepted"),
    ("aloittaneetLkm", "enrolled"),
];

/// Every field of the enrolment resource as documented (more than the decoder needs).
const ENROLMENT_KNOWN_FIELDS: [&str; 15] = [
    "tilastovuosi",
    "suorituksenTyyppi",
    "tutkintotyyppi",
    "tutkinto",
    "koulutuksenJarjestaja",
    "hankintakoulutuksenJarjestaja",
    "hankintakoulutusKyllaEi",
    "koodiTutkinto",
    "koodiKoulutuksenJarjestaja",
    "koodiHankintakoulutuksenJarjestaja",
    "uudetOpiskelijatLkm",
    "opiskelijatLkm",
    "tutkinnonSuorittaneetLkm",
    "nettoopiskelijamaaraLkm",
    "tietojoukkoPaivitettyPvm",
];

/// The fields a resource is documented to have (for the new-field warning), when it is one of
/// the resources with a dedicated decoder.
pub(super) fn known_fields(resource: &str) -> Option<&'static [&'static str]> {
    match resource {
        ENROLMENT_RESOURCE => Some(&ENROLMENT_KNOWN_FIELDS),
        APPLICANTS_RESOURCE => Some(&APPLICANT_KNOWN_FIELDS),
        _ => None,
    }
}

/// Checks that the first row carries every expected field: a renamed or dropped field is
/// schema drift and must stop the run with a message that says which.
pub(super) fn check_fields(bytes: &[u8], fields: &[&str]) -> Result<(), String> {
    // Read just the first object: from the first `{`, one value, the rest left unread.
    let Some(pos) = bytes.iter().position(|b| *b == b'{') else { return Ok(()) };
    let mut de = serde_json::Deserializer::from_slice(&bytes[pos..]);
    let first: Option<serde_json::Map<String, serde_json::Value>> =
        Some(serde::Deserialize::deserialize(&mut de).map_err(|e| format!("first row is not a JSON object: {e}"))?);
    let Some(first) = first else { return Ok(()) };
    let missing: Vec<&str> = fields.iter().copied().filter(|f| !first.contains_key(*f)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "expected field(s) {} missing from the rows (the resource's schema changed?)",
            missing.join(", ")
        ))
    }
}

