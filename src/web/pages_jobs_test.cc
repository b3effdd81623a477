// The job pages over real HTTP in-process: the jobs list and its state filter, a job's page and its summary
// fragment, and cancelling a queued job from them.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;
using testing::StreamReader;

class JobPagesTest : public testing::WebFixture {
 protected:
  // A queued start of a new server of ann's (no worker runs it); the job's id.
  std::string queued_start(Browser& ann) {
    std::int64_t server = make_server_with_forms(ann, "alpha");
    HttpReply queued = ann.post("/api/v1/servers/" + std::to_string(server) + "/start");
    EXPECT_EQ(queued.status, 202) << queued.body;
    return std::to_string(job_of(queued));
  }
};

TEST_F(JobPagesTest, TheListFiltersByStateAndSaysWhenItDoesNotKnowOne) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string job = queued_start(ann);
  std::string row = "<tr id=\"job-" + job + "\">";

  HttpReply all = ann.get("/jobs");
  EXPECT_EQ(all.status, 200);
  EXPECT_NE(all.body.find(row), std::string::npos) << all.body;
  EXPECT_NE(all.body.find("id=\"cancel-" + job + "\""), std::string::npos);
  EXPECT_NE(ann.get("/jobs?state=queued").body.find(row), std::string::npos);
  EXPECT_EQ(ann.get("/jobs?state=succeeded").body.find(row), std::string::npos);
  EXPECT_NE(ann.get("/jobs/rows?state=queued").body.find(row), std::string::npos);
  EXPECT_EQ(ann.get("/jobs/rows?state=failed").body.find(row), std::string::npos);

  HttpReply unknown = ann.get("/jobs?state=paused");
  EXPECT_EQ(unknown.status, 200);
  EXPECT_NE(unknown.body.find("There is no job state"), std::string::npos) << unknown.body;
  EXPECT_NE(unknown.body.find(row), std::string::npos);  // showing every job
}

TEST_F(JobPagesTest, AQueuedJobShowsItsStateAndIsCancelledFromItsPage) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string job = queued_start(ann);

  HttpReply page = ann.get("/jobs/" + job);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"job-state\">queued<"), std::string::npos) << page.body;
  HttpReply summary = ann.get("/jobs/" + job + "/summary");
  EXPECT_EQ(summary.status, 200);
  EXPECT_EQ(summary.body.rfind("<section id=\"job-summary\"", 0), 0u) << summary.body;
  EXPECT_NE(summary.body.find("Cancel this job"), std::string::npos);

  EXPECT_EQ(post_form(ann, "/jobs/" + job + "/cancel", "").status, 303);
  HttpReply cancelled = ann.get("/jobs/" + job + "/summary");
  EXPECT_NE(cancelled.body.find("id=\"job-state\">cancelled<"), std::string::npos) << cancelled.body;
  EXPECT_EQ(cancelled.body.find("Cancel this job"), std::string::npos);
  EXPECT_EQ(cancelled.body.find("hx-trigger"), std::string::npos);  // a finished job stops polling
}

// Issue 13, bug 7: an install job's page showed l4d2ctl's raw JSON progress lines, and its summary only the phase of
// the last line. The log now reads as progress and the summary tells the whole install.
TEST_F(JobPagesTest, AnInstallJobShowsProgressAndTheWholeInstall) {
  start();
  create_user("root", Role::kAdmin);
  Browser root = logged_in("root");
  HttpReply queued = root.post("/api/v1/install");
  ASSERT_EQ(queued.status, 202);
  const std::string job = std::to_string(job_of(queued));
  EXPECT_EQ(wait_job(root, job_of(queued)), "succeeded");

  std::string summary = root.get("/jobs/" + job + "/summary").body;
  EXPECT_NE(summary.find("<p id=\"install-result\">Installed the game in 0 s: 100 B downloaded, 0 B of disk used.</p>"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("value=\"100\""), std::string::npos) << summary;

  std::string cookies;
  for (const auto& [name, value] : root.cookies()) cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
  StreamReader stream(port_, "/jobs/" + job + "/stream", {{"Cookie", cookies}});
  ASSERT_TRUE(stream.wait_for("event: end", std::chrono::seconds(5))) << stream.received();
  EXPECT_NE(stream.received().find("<div class=\"line progress\" data-progress=\" downloading\">downloading 50.0% · "
                                   "50 B of 100 B</div>"),
            std::string::npos)
      << stream.received();
  EXPECT_EQ(stream.received().find("{&quot;phase"), std::string::npos) << stream.received();
  EXPECT_NE(stream.received().find("$ l4d2ctl install --json"), std::string::npos);  // other lines stay as they are
  // The API keeps l4d2ctl's objects, with the web app's estimate added.
  nlohmann::json lines = root.get("/api/v1/jobs/" + job + "/lines").json();
  EXPECT_NE(lines.dump().find("seconds_left"), std::string::npos) << lines.dump();
}

}  // namespace
}  // namespace left4me::web
