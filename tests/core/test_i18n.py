import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_language_switch_turns_admin_into_simplified_chinese(client, operator_user):
    client.force_login(operator_user)

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert response.status_code == 302
    page = client.get("/admin/").text

    assert "库存同步中枢" in page  # the hub's own name, translated
    assert "卖家" in page  # the Sellers section


@pytest.mark.django_db
def test_portal_renders_in_chinese_for_a_chinese_browser(client):
    call_command("seed_demo")
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="harbor.owner"))

    page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").text

    assert "欢迎" in page
    assert 'lang="zh-hans"' in page
