using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Json;

/// <summary>Reads a JSON string; numbers, booleans, objects and arrays are type errors (null is left to the caller).</summary>
internal sealed class StrictStringConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new JsonFieldTypeException("a string", OpenAiJson.DescribeToken(reader.TokenType));

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
