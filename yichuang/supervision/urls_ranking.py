"""评比排名 and the 示范窗口 / 服务标兵 selection."""

from django.urls import path

from yichuang.supervision import views_ranking

urlpatterns = [
    path("supervision/ranking/", views_ranking.ranking_page, name="ranking"),
    path("supervision/ranking/honours/", views_ranking.honour_award, name="honour_award"),
]
