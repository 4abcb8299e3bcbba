using System.Collections.Concurrent;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>A synthetic image rendered on demand; images that may be sent again are kept rendered in the shared cache.</summary>
internal sealed class SyntheticImage(SyntheticImageSpec spec, ConcurrentDictionary<SyntheticImageSpec, Lazy<string>> cache) : IRequestImage
{
    public SyntheticImageSpec Spec { get; } = spec;

    public string Key => $"synthetic-{Spec.Seed}-{Spec.Width}x{Spec.Height}.{Spec.Format.ToString().ToLowerInvariant()}";

    public string ToDataUrl() => cache.TryGetValue(Spec, out var rendered)
        ? rendered.Value
        : SyntheticImageRenderer.ToDataUrl(Spec);
}
