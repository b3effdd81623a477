# fake-steam-api: the stand-in Steam Web API as a program (src/testing/fake_steam_api).
left4me_add_integration_test(fake_steam_api_serve fake_steam_api/serve.sh TIMEOUT 60 LABELS fake_steam_api)
