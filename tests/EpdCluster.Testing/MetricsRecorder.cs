using System.Diagnostics.Metrics;

namespace EpdCluster.Testing;

/// <summary>
/// Records every measurement of the instruments whose meters one <see cref="IMeterFactory"/> created (a test host's,
/// or a <see cref="TestMeterFactory"/>), with their tags, for assertions on metric types in process.
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = [];

    public MetricsRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    /// <summary>Sum of the measurements of <paramref name="instrument"/> whose tags include <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) => Values(instrument, tags).Sum();

    /// <summary>How many measurements (histogram records, counter adds) match.</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) => Values(instrument, tags).Count;

    public IReadOnlyList<double> Values(string instrument, params (string Key, string Value)[] tags)
    {
        lock (_measurements)
        {
            return _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value))
                .Select(m => m.Value).ToList();
        }
    }

    /// <summary>The current values of observable instruments (gauges read at collection).</summary>
    public IReadOnlyList<double> Observe(string instrument, params (string Key, string Value)[] tags)
    {
        lock (_measurements)
        {
            _measurements.RemoveAll(m => m.Instrument == instrument);
        }

        _listener.RecordObservableInstruments();
        return Values(instrument, tags);
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, copy));
        }
    }

    public void Dispose() => _listener.Dispose();
}
