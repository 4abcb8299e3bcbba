namespace EpdCluster.LoadTests.Workloads;

/// <summary>A source of requests, read in order; the same seed yields the same sequence.</summary>
internal interface IWorkload
{
    /// <summary>One line for reports, e.g. "synthetic: prompt 1024, output 128, 1 image 448 1:1 png".</summary>
    string Description { get; }

    /// <summary>Whether requests carry their own arrival times (replayed when a step sets no rate).</summary>
    bool HasTimestamps { get; }

    /// <summary>The next request, or null when a finite workload is exhausted.</summary>
    LoadRequest? Next();

    /// <summary>The request <see cref="Next"/> will return, without taking it: a step that ends at its duration leaves it to the next step.</summary>
    LoadRequest? Peek();
}
