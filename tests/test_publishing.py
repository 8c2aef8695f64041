"""Which notes are published, and how broken or odd input is read (issue: the core)."""

from helpers import PUBLISHED, build_vault, published


def urls(site):
    return sorted(note.url for note in site.result.site.notes)


def test_only_dg_publish_true_is_published(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "Yes.md": published("public"),
            "No.md": "---\ndg-publish: false\n---\nprivate\n",
            "Missing.md": "---\ntitle: x\n---\nprivate\n",
            "Bare.md": "no frontmatter at all\n",
        },
    )
    assert urls(site) == ["/yes/"]
    assert site.exists("/yes/")
    for url in ("/no/", "/missing/", "/bare/"):
        assert not site.exists(url)


def test_string_true_is_private_with_a_warning(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "Quoted.md": '---\ndg-publish: "true"\n---\nx\n',
            "One.md": "---\ndg-publish: 1\n---\nx\n",
        },
    )
    assert urls(site) == []
    assert site.warned("Quoted.md", "not the boolean true")
    assert site.warned("One.md", "not the boolean true")


def test_json_frontmatter_as_the_digital_garden_plugin_writes_it(tmp_path):
    note = '---\n{"dg-publish":true,"permalink":"/x/","title":"JSON note"}\n---\nbody\n'
    site = build_vault(tmp_path, {"Note.md": note})
    assert urls(site) == ["/x/"]
    assert site.page("/x/").css_first("h1.inline-title").text() == "JSON note"


def test_other_publish_flag_and_publish_all(tmp_path):
    files = {
        "A.md": "---\npublish: true\n---\na\n",
        "B.md": published("b"),
        "C.md": "c\n",
    }
    assert urls(build_vault(tmp_path / "1", files, publish_flag="publish")) == ["/a/"]
    assert urls(build_vault(tmp_path / "2", files, publish_all=True)) == ["/a/", "/b/", "/c/"]
    assert urls(build_vault(tmp_path / "3", files)) == ["/b/"]


def test_publish_flag_from_the_settings_file(tmp_path):
    site = build_vault(
        tmp_path,
        {"trellis.toml": 'publish_flag = "publish"\n', "A.md": "---\npublish: true\n---\na\n"},
    )
    assert urls(site) == ["/a/"]


def test_invalid_yaml_is_private_with_file_and_line(tmp_path):
    broken = "---\ndg-publish: true\ntags: [one\ntitle: x\n---\nbody\n"
    site = build_vault(tmp_path, {"Broken.md": broken, "Good.md": published("fine")})
    assert urls(site) == ["/good/"]
    message = next(w for w in site.warnings if w.startswith("Broken.md:"))
    # The YAML error is found on line 4 (the flow sequence is never closed before "title:").
    assert message.startswith("Broken.md:4:"), message
    assert "invalid frontmatter" in message


def test_unclosed_fence_is_private_with_a_warning(tmp_path):
    site = build_vault(tmp_path, {"Open.md": "---\ndg-publish: true\nbody without end\n"})
    assert urls(site) == []
    assert site.warned("Open.md:1:", "never closed")


def test_not_utf8_is_decoded_with_replacement_and_a_warning(tmp_path):
    data = PUBLISHED.encode() + b"caf\xe9 line\nsecond\n"
    site = build_vault(tmp_path, {"Latin1.md": data})
    assert urls(site) == ["/latin1/"]
    assert "caf\ufffd line" in site.body("/latin1/").text()
    assert site.warned("Latin1.md:4:", "not valid UTF-8")


def test_bom_and_crlf(tmp_path):
    text = "---\r\ndg-publish: true\r\ntitle: Windows\r\n---\r\n# Head\r\ntext [[Other]]\r\n"
    data = b"\xef\xbb\xbf" + text.encode()
    site = build_vault(tmp_path, {"Win.md": data, "Other.md": published("o")})
    assert urls(site) == ["/other/", "/win/"]
    body = site.body("/win/")
    assert body.css_first("h1").text() == "Head"
    assert body.css_first("a.internal-link").attributes["href"] == "/other/"
    assert "\r" not in site.html("/win/")


def test_dot_folders_and_files_are_not_part_of_the_vault(tmp_path):
    site = build_vault(
        tmp_path,
        {
            ".obsidian/Workspace.md": published("x"),
            ".trash/Old.md": published("x"),
            "Folder/.hidden.md": published("x"),
            "Shown.md": published("x"),
        },
    )
    assert urls(site) == ["/shown/"]


def test_output_inside_the_vault_is_not_read_as_notes(tmp_path):
    from trellis.pipeline import build

    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "A.md").write_text(published("a [[A]]"))
    out = vault / "site"
    build(vault, out)
    (out / "stray.md").write_text(published("not a note of the vault [[A]]"))
    second = build(vault, out, use_cache=False)  # nothing changed: force a real build
    assert [n.rel_path for n in second.site.notes] == ["A.md"]
    assert not (out / "stray").exists()
    assert not (out / "stray.md").exists()  # the old output was replaced as a whole


def test_title_from_frontmatter_else_file_name(tmp_path):
    site = build_vault(
        tmp_path, {"a/File Name.md": published("x"), "b/Other.md": published("x", title="Given")}
    )
    assert site.page("/a/file-name/").css_first("h1.inline-title").text() == "File Name"
    assert site.page("/b/other/").css_first("h1.inline-title").text() == "Given"
    assert site.page("/b/other/").css_first("title").text().startswith("Given")
