from pathlib import Path

from data_access import contract
from data_access.dictionary import contract_markdown, data_dictionary

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-contract.md"


def test_the_contract_document_is_up_to_date():
    assert DOC.read_text() == contract_markdown(), (
        "docs/data-contract.md is stale: python -m data_access.dictionary > docs/data-contract.md"
    )


def test_every_column_of_every_table_is_documented():
    dictionary = data_dictionary()
    documented = set(zip(dictionary["table"], dictionary["column"], strict=True))
    assert documented == {(t.name, col.name) for t in contract.TABLES for col in t.columns}
    assert (dictionary["meaning"].str.len() > 3).all()
    row = dictionary[(dictionary.table == "people") & (dictionary.column == "age_band")].iloc[0]
    assert row["allowed values"] == "0-4, 5-11, 12-17, 18-59, 60+"
