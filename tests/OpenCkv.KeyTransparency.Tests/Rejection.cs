using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Tests;

/// <summary>What counts as a verifier rejecting its input.</summary>
internal static class Rejection
{
    /// <summary>Rejected means a format or verification failure — any other exception is a bug and propagates.</summary>
    public static bool Rejected(Action verify)
    {
        try
        {
            verify();
            return false;
        }
        catch (KtFormatException)
        {
            return true;
        }
        catch (KtVerificationException)
        {
            return true;
        }
    }
}
