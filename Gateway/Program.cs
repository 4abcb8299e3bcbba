using EpdCluster.Gateway.Apis;
using EpdCluster.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddEpdGateway();

var app = builder.Build();
app.MapHealthApi();
app.MapAdminApi();
app.Run();
