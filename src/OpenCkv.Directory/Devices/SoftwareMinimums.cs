namespace OpenCkv.Directory.Devices;

/// <summary>
/// The oldest software version per platform that supports contact key verification. The defaults are the seed's
/// (phone 17.2, tablet 17.2, watch 10.2, desktop 14.2, headset 1.1); an operator may set others.
/// </summary>
public sealed class SoftwareMinimums
{
    private readonly Dictionary<Platform, Version> _minimums;

    /// <summary>A table with the given minimums; platforms left out keep the seed's.</summary>
    public SoftwareMinimums(IReadOnlyDictionary<Platform, Version>? overrides = null)
    {
        _minimums = new Dictionary<Platform, Version>
        {
            [Platform.Phone] = new(17, 2),
            [Platform.Tablet] = new(17, 2),
            [Platform.Watch] = new(10, 2),
            [Platform.Desktop] = new(14, 2),
            [Platform.Headset] = new(1, 1),
        };
        foreach ((Platform platform, Version minimum) in overrides ?? new Dictionary<Platform, Version>())
        {
            _minimums[platform] = minimum;
        }
    }

    /// <summary>The seed's table.</summary>
    public static SoftwareMinimums Default { get; } = new();

    /// <summary>The minimum for a platform.</summary>
    public Version For(Platform platform) => _minimums[platform];

    /// <summary>True when <paramref name="version"/> is at least the platform's minimum.</summary>
    public bool Supports(Platform platform, Version version) => Normalized(version) >= Normalized(For(platform));

    /// <summary>
    /// Parses a dotted software version of one to four numbers ("17", "17.2", "17.2.1").
    /// </summary>
    public static bool TryParseVersion(string? text, out Version version)
    {
        version = new Version(0, 0);
        if (string.IsNullOrEmpty(text) || text.Length > 32 || text.Any(c => c is not (>= '0' and <= '9') and not '.'))
        {
            return false;
        }

        string padded = text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
        if (!Version.TryParse(padded, out Version? parsed))
        {
            return false;
        }

        version = parsed;
        return true;
    }

    // Version treats a missing build number as "below .0" (17.2 < 17.2.0); compare with missing parts as zero.
    private static Version Normalized(Version v) => new(v.Major, v.Minor, Math.Max(v.Build, 0), Math.Max(v.Revision, 0));
}
