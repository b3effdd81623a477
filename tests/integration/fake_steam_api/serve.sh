#!/usr/bin/env bash
# fake-steam-api: the recorded reply shapes of protocols.md §4.4 over real HTTP, the files it serves
# (normal, cut short), and SIGHUP publishing an update.
. "$(dirname "$0")/../lib.sh"
BIN="$LEFT4ME_BUILD/src/testing/fake_steam_api/fake-steam-api"
"$BIN" >"$T/url" 2>"$T/err" &
pid=$!
on_exit "kill $pid; wait $pid"
wait_until 10 test -s "$T/url"
URL=$(head -n 1 "$T/url")
API="$URL/ISteamRemoteStorage"

details=$(curl -sf --data 'itemcount=3&publishedfileids[0]=1001&publishedfileids[1]=1007&publishedfileids[2]=1008' \
  "$API/GetPublishedFileDetails/v1/")
assert_contains "$details" '"publishedfileid":"1001","result":1,'
assert_contains "$details" '"file_size":"5000"'
assert_contains "$details" "\"file_url\":\"$URL/files/1001.vpk\""
assert_contains "$details" '"time_updated":1700000000'
assert_contains "$details" '{"publishedfileid":"1007","result":9}'
assert_contains "$details" '"visibility":2'
pass "GetPublishedFileDetails"

collection=$(curl -sf --data 'collectioncount=2&publishedfileids[0]=900&publishedfileids[1]=1001' \
  "$API/GetCollectionDetails/v1/")
assert_contains "$collection" '{"children":[{"filetype":0,"publishedfileid":"1001","sortorder":1},{"filetype":2,"publishedfileid":"901","sortorder":2}'
assert_contains "$collection" '{"publishedfileid":"1001","result":9}'
pass "GetCollectionDetails"

curl -sf -o "$T/1001.vpk" "$URL/files/1001.vpk"
assert_eq 5000 "$(stat -c %s "$T/1001.vpk")" "size of 1001.vpk"
assert_eq "3412aa55" "$(head -c 4 "$T/1001.vpk" | od -An -tx1 | tr -d ' \n')" "VPK signature"
set +e
curl -sf -o "$T/1006.vpk" "$URL/files/1006.vpk"
status=$?
set -e
assert_eq 18 "$status" "curl's exit for a transfer cut short"
pass "files"

kill -HUP "$pid"
wait_until 5 bash -c "curl -sf --data 'itemcount=1&publishedfileids[0]=1001' '$API/GetPublishedFileDetails/v1/' | grep -q '\"time_updated\":1700001000'"
curl -sf -o "$T/1001-v1.vpk" "$URL/files/1001.vpk"
cmp -s "$T/1001.vpk" "$T/1001-v1.vpk" && fail "the updated item has the same bytes"
pass "SIGHUP publishes an update"
