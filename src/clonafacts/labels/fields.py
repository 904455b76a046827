"""The openFDA fields imported: shared by the reader and the store (which lookups load, so this
module imports nothing)."""

#: The label sections imported, as openFDA names them. Dosage and administration is left out on
#: purpose: this is a study reference, not a prescribing aid.
SECTION_FIELDS = (
    "boxed_warning",
    "indications_and_usage",
    "mechanism_of_action",
    "clinical_pharmacology",
    "pharmacokinetics",
    "contraindications",
    "warnings_and_cautions",
    "warnings",
    "precautions",
    "drug_abuse_and_dependence",
    "abuse",
    "dependence",
    "controlled_substance",
    "drug_interactions",
    "adverse_reactions",
    "overdosage",
    "description",
)
#: Each section's tables, as HTML (shown as text, never as HTML).
TABLE_FIELDS = tuple(f"{name}_table" for name in SECTION_FIELDS)

#: The identifying fields of the `openfda` block that are kept.
OPENFDA_FIELDS = (
    "brand_name",
    "generic_name",
    "substance_name",
    "manufacturer_name",
    "product_type",
    "route",
    "pharm_class_epc",
    "pharm_class_moa",
    "application_number",
)
