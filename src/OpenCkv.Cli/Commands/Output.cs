using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenCkv.Cli.Commands;

/// <summary>How device commands print: human lines, or one JSON object with <c>--json</c> (DESIGN §9).</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Json(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, value.GetType(), Options));

    public static int Refused(string command, string message)
    {
        Console.Error.WriteLine($"ckv {command}: {message}");
        return 1;
    }

    public static int Usage(string usage)
    {
        Console.Error.WriteLine("usage: ckv " + usage);
        return 2;
    }
}
