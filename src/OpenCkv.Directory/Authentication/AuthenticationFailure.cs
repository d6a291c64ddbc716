namespace OpenCkv.Directory.Authentication;

/// <summary>Why a request was not authenticated.</summary>
public enum AuthenticationFailure
{
    /// <summary>No credentials.</summary>
    Missing,

    /// <summary>Credentials present but not well formed.</summary>
    Malformed,

    /// <summary>The account or device is unknown, or the device is not signed in (not in the account's record).</summary>
    UnknownDevice,

    /// <summary>The signature does not verify under the device's request key.</summary>
    BadSignature,

    /// <summary>The timestamp is outside the acceptance window around the server's clock.</summary>
    OutsideWindow,

    /// <summary>The nonce was seen before: a replay.</summary>
    Replayed,

    /// <summary>The session token is unknown or expired.</summary>
    SessionExpired,
}

/// <summary>A request that could not be authenticated, and why.</summary>
public sealed class AuthenticationException(AuthenticationFailure failure, string detail) : Exception(detail)
{
    /// <summary>Why.</summary>
    public AuthenticationFailure Failure { get; } = failure;
}

/// <summary>The account and device a request was authenticated as, and how.</summary>
public sealed record AuthenticatedDevice(byte[] AccountId, byte[] DeviceId, bool BySignature);
