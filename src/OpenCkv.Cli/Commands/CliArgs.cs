namespace OpenCkv.Cli.Commands;

/// <summary>
/// The arguments of a device command: options with values (<c>--name X</c>), flags (<c>--json</c>) and the
/// positional words left over. An option that needs a value and has none is a usage error.
/// </summary>
internal sealed class CliArgs
{
    private static readonly HashSet<string> Valued = new(StringComparer.Ordinal)
    {
        "--profile", "--server", "--handle", "--name", "--platform", "--os-version", "--code", "--totp", "--log-config",
        "--timeout", "--passcode", "--keychain", "--ack", "--urls",
    };

    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = [];

    private CliArgs()
    {
    }

    /// <summary>The words that are neither options nor their values.</summary>
    public IReadOnlyList<string> Positionals => _positionals;

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool Json => Flag("--json");

    /// <summary>Parses <paramref name="args"/>; null when an option lacks its value.</summary>
    public static CliArgs? Parse(IReadOnlyList<string> args)
    {
        var parsed = new CliArgs();
        for (int i = 0; i < args.Count; i++)
        {
            string word = args[i];
            if (Valued.Contains(word))
            {
                if (i + 1 >= args.Count)
                {
                    return null;
                }

                parsed._options[word] = args[++i];
            }
            else if (word.StartsWith("--", StringComparison.Ordinal))
            {
                parsed._flags.Add(word);
            }
            else
            {
                parsed._positionals.Add(word);
            }
        }

        return parsed;
    }

    /// <summary>An option's value, or null.</summary>
    public string? Option(string name) => _options.GetValueOrDefault(name);

    /// <summary>Whether a flag was given.</summary>
    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>An on/off option: null when absent; false for "off"; an error for anything but on/off.</summary>
    public bool? Switch(string name) => Option(name) switch
    {
        null => null,
        "on" => true,
        "off" => false,
        var other => throw new UsageException($"{name} takes on or off, not '{other}'"),
    };

    /// <summary>The flags given that <paramref name="known"/> does not list.</summary>
    public IEnumerable<string> UnknownFlags(params string[] known) => _flags.Where(f => !known.Contains(f) && f != "--json");
}

/// <summary>A command line that does not fit its command's usage: exit 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
