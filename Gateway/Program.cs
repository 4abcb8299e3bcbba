using EpdCluster.Gateway.Apis;
using EpdCluster.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddEpdGateway();

var app = builder.Build();
app.UseOpenAiErrors();
app.MapHealthApi();
app.MapAdminApi();
app.MapOpenAiApi();
app.Run();
