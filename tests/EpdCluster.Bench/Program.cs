using EpdCluster.Bench;

return args.FirstOrDefault() switch
{
    "engine" => await EngineBenchmark.RunAsync(args[1..]),
    "transfer" => await TransferBenchmark.RunAsync(args[1..]),
    "cluster" => await ClusterBenchmark.RunAsync(args[1..]),
    "gateway" => await GatewayBenchmark.RunAsync(args[1..]),
    "codecs" => await CodecBenchmark.RunAsync(args[1..]),
    "profile" => await ProfileMeasurement.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench engine [--model epd-tiny|epd-small] [--quick]");
    Console.Error.WriteLine("       bench transfer [--quick]");
    Console.Error.WriteLine("       bench cluster [--quick]");
    Console.Error.WriteLine("       bench gateway [--quick]");
    Console.Error.WriteLine("       bench codecs [--model epd-tiny|epd-small] [--quick]");
    Console.Error.WriteLine("       bench profile [--model epd-tiny|epd-small] [--quick] [--out FILE.json]");
    return 2;
}
