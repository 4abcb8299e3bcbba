using System.Text.Json;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Workloads;
using SkiaSharp;

namespace EpdCluster.LoadTests.Tests;

public sealed class WorkloadTests
{
    private static WorkloadOptions Synthetic(string images = "1", double reuse = 0, string shortSide = "64", string ratios = "1:1", string formats = "png") =>
        WorkloadOptions.From(new WorkloadSpec
        {
            PromptTokens = "uniform:10-20",
            OutputTokens = "choice:8=1,16=1",
            ImagesPerRequest = images,
            ImageShortSide = shortSide,
            AspectRatios = ratios,
            ImageFormats = formats,
            ImageReuseRatio = reuse,
        }, ".");

    [Fact]
    public void Synthetic_requests_are_the_same_for_a_seed_and_differ_for_another()
    {
        var options = Synthetic(images: "uniform:0-2", reuse: 0.3);
        string Describe(int seed)
        {
            var workload = new SyntheticMultimodalWorkload(options, seed);
            return string.Join('\n', Enumerable.Range(0, 30).Select(_ => workload.Next()).Select(r =>
                $"{r.Prompt}|{r.MaxTokens}|{string.Join(',', r.Images.Select(i => i.Key))}"));
        }

        Assert.Equal(Describe(5), Describe(5));
        Assert.NotEqual(Describe(5), Describe(6));
    }

    [Fact]
    public void Synthetic_lengths_follow_their_distributions()
    {
        var workload = new SyntheticMultimodalWorkload(Synthetic(), seed: 1);
        var requests = Enumerable.Range(0, 200).Select(_ => workload.Next()).ToList();

        Assert.All(requests, r => Assert.InRange(r.Prompt.Split(' ').Length, 10, 20));
        Assert.All(requests, r => Assert.Contains(r.MaxTokens, new[] { 8, 16 }));
        Assert.InRange(requests.Count(r => r.MaxTokens == 8), 70, 130);
        Assert.All(requests, r => Assert.Single(r.Images));
    }

    [Fact]
    public void Synthetic_images_are_deterministic_pngs_and_jpegs_of_the_drawn_size_and_ratio()
    {
        var workload = new SyntheticMultimodalWorkload(Synthetic(shortSide: "choice:32=1,48=1", ratios: "1:1=1,4:3=1,9:16=1", formats: "png=1,jpeg=1"), seed: 2);
        var images = Enumerable.Range(0, 40).SelectMany(_ => workload.Next().Images).Cast<SyntheticImage>().ToList();

        foreach (var image in images)
        {
            var url = image.ToDataUrl();
            var bytes = Convert.FromBase64String(url[(url.IndexOf(',') + 1)..]);
            Assert.StartsWith(image.Spec.Format == ImageFormat.Png ? "data:image/png;base64," : "data:image/jpeg;base64,", url);
            Assert.Equal(image.Spec.Format == ImageFormat.Png ? "image/png" : "image/jpeg", ImageSniffer.MimeType(bytes));
            using var decoded = SKBitmap.Decode(bytes);
            Assert.Equal((image.Spec.Width, image.Spec.Height), (decoded.Width, decoded.Height));
            Assert.Contains(Math.Min(decoded.Width, decoded.Height), new[] { 32, 48 });
            var ratio = (double)decoded.Width / decoded.Height;
            Assert.Contains(new[] { 1.0, 4.0 / 3, 9.0 / 16 }, r => Math.Abs(r - ratio) < 0.03);
            Assert.Equal(url, SyntheticImageRenderer.ToDataUrl(image.Spec));
        }

        Assert.Contains(images, i => i.Spec.Format == ImageFormat.Jpeg);
        Assert.Contains(images, i => i.Spec.Height > i.Spec.Width);
        Assert.Equal(images.Count, images.Select(i => i.ToDataUrl()).Distinct().Count());
    }

    [Fact]
    public void The_reuse_ratio_is_the_share_of_images_that_repeat_an_earlier_one()
    {
        const int requests = 2000;
        var workload = new SyntheticMultimodalWorkload(Synthetic(reuse: 0.4), seed: 3);
        var keys = Enumerable.Range(0, requests).SelectMany(_ => workload.Next().Images).Select(i => i.Key).ToList();

        var repeats = keys.Count - keys.Distinct().Count();
        // Binomial: standard deviation √(n·p·(1 − p)) ≈ 22 of 2000; allow four.
        Assert.InRange(repeats, (requests * 0.4) - 88, (requests * 0.4) + 88);
        Assert.Equal(repeats, workload.ImageCounts.Reused);
        Assert.Equal(0, new SyntheticMultimodalWorkload(Synthetic(reuse: 0), seed: 3) is var none
            ? Enumerable.Range(0, 200).SelectMany(_ => none.Next().Images).GroupBy(i => i.Key).Count(g => g.Count() > 1)
            : -1);
    }

    [Fact]
    public void Reused_images_are_byte_identical()
    {
        var workload = new SyntheticMultimodalWorkload(Synthetic(reuse: 0.9), seed: 4);
        var images = Enumerable.Range(0, 20).SelectMany(_ => workload.Next().Images).ToList();

        var repeated = images.GroupBy(i => i.Key).First(g => g.Count() > 1).ToList();
        Assert.Single(repeated.Select(i => i.ToDataUrl()).Distinct());
    }

    [Fact]
    public void Dataset_lines_take_image_paths_data_urls_and_base64_and_keep_offsets()
    {
        var folder = Harness.TempFolder();
        var png = SyntheticImageRenderer.Render(new SyntheticImageSpec(1, 8, 8, ImageFormat.Png));
        var jpeg = SyntheticImageRenderer.Render(new SyntheticImageSpec(2, 8, 8, ImageFormat.Jpeg));
        File.WriteAllBytes(Path.Combine(folder, "cat.png"), png);
        var dataUrl = "data:image/jpeg;base64," + Convert.ToBase64String(jpeg);
        var lines = new[]
        {
            JsonSerializer.Serialize(new { prompt = "one", images = new[] { "cat.png", dataUrl }, output_tokens = 5, offset_ms = 0 }),
            "",
            JsonSerializer.Serialize(new { prompt = "two", images = new[] { Convert.ToBase64String(jpeg) }, offset_ms = 1500 }),
        };
        var path = Path.Combine(folder, "set.jsonl");
        File.WriteAllLines(path, lines);

        var workload = new DatasetReplayWorkload(path, WorkloadOptions.From(new WorkloadSpec { OutputTokens = "9" }, folder), seed: 0);
        var first = workload.Next()!;
        var second = workload.Next()!;

        Assert.True(workload.HasTimestamps);
        Assert.Null(workload.Next());
        Assert.Equal(("one", 5, 0.0), (first.Prompt, first.MaxTokens, first.TimestampSeconds!.Value));
        Assert.Equal(("two", 9, 1.5), (second.Prompt, second.MaxTokens, second.TimestampSeconds!.Value));
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(png), first.Images[0].ToDataUrl());
        Assert.Equal(dataUrl, first.Images[1].ToDataUrl());
        Assert.Equal(dataUrl, second.Images[0].ToDataUrl());
    }

    [Fact]
    public void A_dataset_without_offsets_repeats_when_a_step_needs_more()
    {
        var path = Harness.Dataset(["a", "b"]);
        var workload = Harness.DatasetWorkload(path);

        Assert.Equal(["a", "b", "a", "b", "a"], Enumerable.Range(0, 5).Select(_ => workload.Next()!.Prompt));
        Assert.False(workload.HasTimestamps);
    }

    [Theory]
    [InlineData("{\"prompt\": \"x\", \"images\": [\"missing.png\"]}", "image 1")]
    [InlineData("{\"prompt\": \"\"}", "\"prompt\" is missing")]
    [InlineData("{\"prompt\": \"x\", \"output_tokens\": 0}", "output_tokens")]
    [InlineData("{\"prompt\": \"x\", \"offset_ms\": 5}\n{\"prompt\": \"y\"}", "every line or on none")]
    [InlineData("{\"prompt\": \"x\", \"max_tokens\": 3}", "not a dataset record")]
    [InlineData("not json", ":1:")]
    public void Bad_dataset_lines_are_named_with_their_line(string content, string expected)
    {
        var path = Path.Combine(Harness.TempFolder(), "bad.jsonl");
        File.WriteAllText(path, content);

        var error = Assert.Throws<LoadOptionsException>(() => Harness.DatasetWorkload(path));
        Assert.Contains(expected, error.Message);
        Assert.Contains("bad.jsonl:", error.Message);
    }

    [Fact]
    public void Mooncake_prompts_share_text_exactly_where_hash_ids_are_shared()
    {
        var path = Path.Combine(Harness.TempFolder(), "trace.jsonl");
        File.WriteAllLines(path,
        [
            "{\"timestamp\": 0, \"input_length\": 25, \"output_length\": 4, \"hash_ids\": [1, 2, 3]}",
            "{\"timestamp\": 250, \"input_length\": 22, \"output_length\": 6, \"hash_ids\": [1, 2, 9]}",
            "{\"timestamp\": 1000, \"input_length\": 30, \"output_length\": 1, \"hash_ids\": [7]}",
        ]);
        var workload = new MooncakeTraceWorkload(path, WorkloadOptions.From(new WorkloadSpec { Trace = path, TraceBlockTokens = 10 }, "."), seed: 11);

        var requests = Enumerable.Range(0, 3).Select(_ => workload.Next()!).ToList();
        var words = requests.Select(r => r.Prompt.Split(' ')).ToList();

        Assert.Null(workload.Next());
        Assert.Equal([25, 22, 30], words.Select(w => w.Length));
        Assert.Equal(words[0][..20], words[1][..20]);      // blocks 1 and 2 are shared
        Assert.NotEqual(words[0][20..22], words[1][20..22]); // block 3 and block 9 differ
        Assert.Equal([4, 6, 1], requests.Select(r => r.MaxTokens));
        Assert.Equal([0, 0.25, 1.0], requests.Select(r => r.TimestampSeconds!.Value));
        var again = new MooncakeTraceWorkload(path, WorkloadOptions.From(new WorkloadSpec { Trace = path, TraceBlockTokens = 10 }, "."), seed: 11);
        Assert.Equal(requests[0].Prompt, again.Next()!.Prompt);
    }

    [Theory]
    [InlineData("128", 128, 128)]
    [InlineData("uniform:3-7", 3, 7)]
    [InlineData("normal:50,10", 1, 100)]
    [InlineData("choice:2=1,4=3", 2, 4)]
    public void Distributions_parse_and_stay_in_range(string spec, int low, int high)
    {
        var distribution = IntDistribution.Parse(spec, "--x", 1);
        var random = new Random(1);

        Assert.All(Enumerable.Range(0, 500).Select(_ => distribution.Sample(random)), v => Assert.InRange(v, low, high));
        Assert.Equal(spec, distribution.Spec);
    }

    [Theory]
    [InlineData("uniform:7-3")]
    [InlineData("zipf:1")]
    [InlineData("choice:a=1")]
    [InlineData("0")]
    [InlineData("normal:5")]
    public void Bad_distributions_are_refused_with_the_option_name(string spec)
    {
        var error = Assert.Throws<LoadOptionsException>(() => IntDistribution.Parse(spec, "--prompt-tokens", 1));
        Assert.Contains("--prompt-tokens", error.Message);
    }
}
