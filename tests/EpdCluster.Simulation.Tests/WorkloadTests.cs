using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Simulation.Tests;

public sealed class WorkloadTests
{
    [Theory]
    [InlineData("128", 128)]
    [InlineData("uniform:10-20", 15)]
    [InlineData("choice:1=3,5=1", 2)]
    [InlineData("normal:300,50", 300)]
    public void Distributions_parse_in_the_load_generators_notation(string text, double mean)
    {
        var distribution = IntDistribution.Parse(text, "prompt_tokens");
        var random = new Random(4);
        var samples = Enumerable.Range(0, 20_000).Select(_ => distribution.Sample(random)).ToList();

        Assert.Equal(mean, distribution.Mean, 6);
        Assert.Equal(mean, samples.Average(), mean * 0.03);
    }

    [Theory]
    [InlineData("uniform:20-10")]
    [InlineData("zipf:1")]
    [InlineData("choice:1")]
    [InlineData("0")]
    public void Bad_distributions_name_the_field(string text)
    {
        var error = Assert.Throws<FormatException>(() => IntDistribution.Parse(text, "output_tokens"));
        Assert.Contains("output_tokens", error.Message);
    }

    [Fact]
    public void A_load_test_scenario_file_gives_its_workload_and_slo()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """
            {
              // a scenario as epd-load reads it
              "name": "image-heavy",
              "slo": { "ttft_ms": 5000, "tpot_ms": 200 },
              "workload": { "prompt_tokens": "uniform:16-64", "output_tokens": "32", "images_per_request": "choice:2=2,3=1", "image_short_side": "448" },
              "steps": []
            }
            """);
        try
        {
            var spec = WorkloadSpec.Load(path);

            Assert.Equal(new Slo(5, 0.2), spec.Slo);
            Assert.Equal(32, spec.OutputTokens.Mean);
            Assert.Equal(40, spec.PromptTokens.Mean);
            Assert.Equal(5, spec.TilesPerImage.Mean);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_requests_at_every_rate_with_scaled_arrivals()
    {
        var slow = Workloads.OneImage().Generate(50, rate: 1, seed: 7);
        var fast = Workloads.OneImage().Generate(50, rate: 4, seed: 7);

        Assert.Equal(slow.Select(r => r.ArrivalSeconds / 4), fast.Select(r => r.ArrivalSeconds), new ToleranceComparer(1e-9));
        Assert.Equal(slow.Select(r => r with { ArrivalSeconds = 0 }), fast.Select(r => r with { ArrivalSeconds = 0 }));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
