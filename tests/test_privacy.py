"""Direct identifiers: found by column name and content; pseudonyms are keyed and stable."""

import pandas as pd
import pytest

from analysis.cleaning.privacy import find_identifier_columns, pseudonymize, scan_text


@pytest.mark.parametrize(
    "text, kind",
    [
        ("hubungi 0812-3456-7890", "phone"),
        ("+62 812 3456 7890", "phone"),
        ("+6281234567890", "phone"),
        ("628123456789", "phone"),
        ("email: budi.s@contoh.id", "email"),
        ("NIK 3174091203850004", "nik"),
        ("dari 192.168.10.25", "ipv4"),
        ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "ipv6"),
    ],
)
def test_identifier_patterns(text, kind):
    assert kind in scan_text(text)


@pytest.mark.parametrize(
    "text",
    ["Sangat Setuju", "Usia 45 tahun", "skor 4.5", "2026-09-27 15:00", "08:30 WIB", "Rp 150.000"],
)
def test_ordinary_answers_are_not_identifiers(text):
    assert scan_text(text) == []


def test_columns_found_by_name_content_and_config():
    frame = pd.DataFrame(
        {
            "Nama lengkap": ["Ayu"],
            "No. HP": ["x"],
            "Saran": ["telp saya 081234567890"],
            "Pertanyaan 1": ["Setuju"],
            "Kode unik": ["A1"],
        }
    )
    found = find_identifier_columns(frame, configured=["Kode unik"])
    assert set(found) == {"Nama lengkap", "No. HP", "Saran", "Kode unik"}
    assert found["Saran"] == "content has phone" and found["Kode unik"] == "configured"


def test_pseudonyms_are_keyed_stable_and_case_insensitive():
    emails = pd.Series(["Budi@contoh.id", "budi@contoh.id ", "ayu@contoh.id"])
    first = pseudonymize(emails, b"key-1")
    assert first[0] == first[1] != first[2]
    assert pseudonymize(emails, b"key-2")[0] != first[0]
    assert "budi" not in first[0]
