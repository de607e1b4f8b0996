"""The rules a file must meet (servicerequests.files.rules): names kept, types found by content."""

import pytest

from servicerequests.files.rules import MAX_NAME_LENGTH, FileRefused, file_type_check, sanitised_name


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\alice\\Desktop\\trace.etl", "trace.etl"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..hidden.log", "hidden.log"),
        ("bad\x00name\u202e.txt", "badname.txt"),
        ('we"ird<>|:*?.log', "we_ird______.log"),
        ("Übersicht – März.csv", "Übersicht _ März.csv"),
        ("   ", ""),
    ],
)
def test_sanitised_name(raw, kept):
    assert sanitised_name(raw) == kept


def test_a_long_name_keeps_its_extension():
    name = sanitised_name("x" * 300 + ".log")
    assert len(name) == MAX_NAME_LENGTH
    assert name.endswith(".log")


def test_the_type_comes_from_the_content_not_the_declared_name():
    name, kind = file_type_check("screenshot.PNG", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, size=40)
    assert (name, kind.content_type) == ("screenshot.PNG", "image/png")
    with pytest.raises(FileRefused, match=r"^page.png: the content is not a PNG image"):
        file_type_check("page.png", b"<html><script>alert(1)</script></html>", size=38)
    with pytest.raises(FileRefused, match=r"this type of file can't be attached"):
        file_type_check("page.html", b"<html></html>", size=13)
    with pytest.raises(FileRefused, match=r"no usable name"):
        file_type_check("...", b"x", size=1)
