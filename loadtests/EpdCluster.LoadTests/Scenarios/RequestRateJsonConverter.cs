using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.LoadTests.Scenarios;

/// <summary>A request rate in JSON: a number, or the string "inf" as vLLM writes it.</summary>
internal sealed class RequestRateJsonConverter : JsonConverter<double?>
{
    public override bool HandleNull => true;

    public override double? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number => reader.GetDouble(),
        JsonTokenType.String when reader.GetString() is "inf" or "Infinity" => double.PositiveInfinity,
        _ => throw new JsonException("request_rate must be a number of requests per second or \"inf\""),
    };

    public override void Write(Utf8JsonWriter writer, double? value, JsonSerializerOptions options)
    {
        if (value is not { } rate)
        {
            writer.WriteNullValue();
        }
        else if (double.IsPositiveInfinity(rate))
        {
            writer.WriteStringValue("inf");
        }
        else
        {
            writer.WriteNumberValue(rate);
        }
    }
}
