using OpenCkv.Client.Verification;

namespace OpenCkv.Cli.Commands;

/// <summary>How a status shows next to a name, in words as well as a sign (DESIGN §1).</summary>
internal static class Badge
{
    /// <summary>The name with its mark: ✓ verified, ⚠ warning, nothing otherwise.</summary>
    public static string Name(string name, ChatStatus status) => status.Kind switch
    {
        ChatStatusKind.Verified => $"{name} ✓",
        ChatStatusKind.Warning => $"{name} ⚠",
        _ => name,
    };

    /// <summary>The chat-details line: exactly one of the five statuses.</summary>
    public static string Line(string name, ChatStatus status) => status.Kind switch
    {
        ChatStatusKind.TurnOnCkv => "Turn on Contact Key Verification",
        ChatStatusKind.VerificationOff => $"{name} — Verification Off",
        ChatStatusKind.VerifyContact => $"{name} — Verify Contact",
        ChatStatusKind.Verified => $"{name} ✓ Verified",
        _ => $"{name} ⚠ Warning: {string.Join(", ", status.Reasons)}",
    };
}
