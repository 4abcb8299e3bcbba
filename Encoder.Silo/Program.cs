using EpdCluster.Abstractions;
using EpdCluster.Runtime.Hosting;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddEpdWorker(WorkerRole.Encode);
builder.Build().Run();
