// The pages' entry point: static files at versioned paths, the friendly error pages, and every page
// module (pages_*.cc). Each page is a template in templates/ filled by its route here.
#include "web/assets.h"
#include "web/pages.h"

namespace left4me::web {

void register_basic_pages(App& app) {
  app.page_errors = page_error_hook;

  // The version in the path changes with the content, so browsers may keep a file forever.
  app.add_route({"GET", "/static/{version}/{name}", Access::kPublic, [](Context& context) {
                   std::optional<EmbeddedFile> file = find_embedded("static/" + context.params[1]);
                   if (!file || file->version != context.params[0]) {
                     return error_page(context.request, 404, "Page not found", "There is no such file.");
                   }
                   Response response;
                   response.header("Content-Type", std::string(content_type_for(file->name)));
                   response.header("Cache-Control", "public, max-age=31536000, immutable");
                   response.body = std::string(file->content);
                   return response;
                 }});

  register_account_pages(app);
  register_server_pages(app);
  register_blueprint_pages(app);
  register_job_pages(app);
  register_admin_pages(app);
}

}  // namespace left4me::web
