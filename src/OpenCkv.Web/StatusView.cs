using OpenCkv.Client.Verification;

namespace OpenCkv.Web;

/// <summary>How a chat status shows: always in words, with a sign beside them for those who see it (DESIGN §1).</summary>
public static class StatusView
{
    /// <summary>The words of the status, as chat details shows them.</summary>
    public static string Words(ChatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Kind switch
        {
            ChatStatusKind.TurnOnCkv => "Turn on Contact Key Verification",
            ChatStatusKind.VerificationOff => "Verification Off",
            ChatStatusKind.VerifyContact => "Verify Contact",
            ChatStatusKind.Verified => "Verified",
            _ => "Warning",
        };
    }

    /// <summary>The sign beside a name: a checkmark when verified, a warning sign on a warning, nothing otherwise.</summary>
    public static string Sign(ChatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Kind switch
        {
            ChatStatusKind.Verified => "✓",
            ChatStatusKind.Warning => "⚠",
            _ => string.Empty,
        };
    }

    /// <summary>The style class of the status (colour only adds to the words and the sign).</summary>
    public static string Css(ChatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Kind switch
        {
            ChatStatusKind.Verified => "status verified",
            ChatStatusKind.Warning => "status warning",
            _ => "status neutral",
        };
    }
}
