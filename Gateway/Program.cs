using EpdCluster.Gateway.Apis;
using EpdCluster.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddEpdGateway();

var app = builder.Build();
app.UseRequestTelemetry();
app.UseOpenAiErrors();
app.MapHealthApi();
app.MapMetricsApi();
app.MapAdminApi();
app.MapOpenAiApi();
app.Run();
