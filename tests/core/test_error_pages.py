from django.urls import reverse


def test_a_wrong_role_sees_the_not_allowed_page(client, login, users):
    login(users["psychologist"])
    response = client.get(reverse("referrals:create"))
    assert response.status_code == 403
    assert "Your role does not give access to this page." in response.content.decode()


def test_another_organisations_record_looks_like_a_missing_one(client, login, users, referral):
    login(users["other_police"])
    response = client.get(reverse("referrals:police_detail", args=[referral.pk]))
    assert response.status_code == 404
    content = response.content.decode()
    assert "belongs to a record your organisation is not a party to" in content
    assert referral.person.family_name not in content


def test_staff_pages_are_never_cached(client, login, users, case_with_service):
    login(users["survivor_worker"])
    survivor = case_with_service.referral.survivors.get()
    response = client.get(reverse("casework:survivor_detail", args=[case_with_service.pk, survivor.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
