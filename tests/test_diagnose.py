

def test_course_check_speaks_chinese_when_the_lab_does(tmp_path, monkeypatch):
    from course.cli import _check_language
    from course.workspace import TRANSLATION_PLUGIN

    monkeypatch.setenv("JUPYTERLAB_SETTINGS_DIR", str(tmp_path))
    assert _check_language(None) == "en" and _check_language("zh") == "zh" and _check_language("en") == "en"
    (tmp_path / TRANSLATION_PLUGIN).parent.mkdir(parents=True)
    (tmp_path / TRANSLATION_PLUGIN).write_text('{"locale": "zh_CN"}')
    assert _check_language(None) == "zh" and _check_language("en") == "en"
