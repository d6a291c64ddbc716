using System.Collections.Concurrent;
using System.Security.Cryptography;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Directory.Storage;
using OpenCkv.Protocol;

namespace OpenCkv.Directory.Authentication;

/// <summary>
/// Accepts a request signed by a signed-in device's request key (docs/ckv-protocol.md §3) — once, within
/// <see cref="Window"/> of the server's clock — or a session token that such a request obtained. The request key
/// comes from the account's current record, so a device signed out of the record can no longer act, and a key of
/// one account can never act for another.
/// Nonces are remembered in memory for twice the window, which suffices for one server process: requests signed
/// before the process started are refused, so a restart cannot reopen the window for a replay. Servers sharing a
/// database also record them there (<see cref="INonceLedger"/>), so a request one accepted is a replay to all.
/// </summary>
public sealed class RequestAuthenticator
{
    /// <summary>How far a request's timestamp may be from the server's clock either way.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>How long a session token lasts.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(30);

    /// <summary>Above this many remembered nonces, new signed requests are refused until old ones expire.</summary>
    public const int MaxRememberedNonces = 1_000_000;

    private readonly Func<byte[], byte[], ValueTask<byte[]?>> _requestKeyOf;
    private readonly IDirectoryStore _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, long> _nonces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EcdsaP256PublicKey> _keys = new(StringComparer.Ordinal);

    /// <summary>Request keys kept parsed (importing a key checks it, which costs as much as a verification).</summary>
    private const int MaxParsedKeys = 100_000;
    private long _nextSweep;
    private readonly long _startedMs;
    private readonly INonceLedger? _sharedNonces;

    /// <summary>
    /// An authenticator that finds a device's current request key through <paramref name="requestKeyOf"/> (account
    /// id, device id); with <paramref name="sharedNonces"/>, nonces are also spent in the ledger other servers share.
    /// </summary>
    public RequestAuthenticator(Func<byte[], byte[], ValueTask<byte[]?>> requestKeyOf, IDirectoryStore store, TimeProvider time, INonceLedger? sharedNonces = null)
    {
        _requestKeyOf = requestKeyOf;
        _store = store;
        _time = time;
        _sharedNonces = sharedNonces;
        _startedMs = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>Authenticates a signed request.</summary>
    /// <exception cref="AuthenticationException">It is not a valid, fresh signature of a signed-in device.</exception>
    public async Task<AuthenticatedDevice> AuthenticateAsync(SignedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long skew = (long)request.TimestampMs - now;
        if (request.TimestampMs > long.MaxValue || Math.Abs(skew) > (long)Window.TotalMilliseconds)
        {
            throw new AuthenticationException(AuthenticationFailure.OutsideWindow, $"The request's timestamp is {skew / 1000} s from the server's clock; the window is ±{Window.TotalSeconds} s.");
        }

        // Nonces live in memory, so a request signed before this process started might have been accepted by the
        // previous one: refuse it rather than risk a replay (a device whose clock lags signs again).
        if ((long)request.TimestampMs < _startedMs)
        {
            throw new AuthenticationException(AuthenticationFailure.OutsideWindow, "The request was signed before the server started; sign it again.");
        }

        byte[] key = await _requestKeyOf(request.AccountId, request.DeviceId).ConfigureAwait(false)
            ?? throw new AuthenticationException(AuthenticationFailure.UnknownDevice, "No signed-in device of that account has that id.");
        byte[] signed = RequestSignature.ToBeSigned(request.Method, request.PathAndQuery, request.Body, request.AccountId, request.DeviceId, request.TimestampMs, request.Nonce);
        if (ParsedKey(key) is not { } publicKey || !publicKey.Verify(signed, request.Signature))
        {
            throw new AuthenticationException(AuthenticationFailure.BadSignature, "The signature does not verify under the device's request key.");
        }

        // Only a verified request spends its nonce, so nobody can burn another device's nonces.
        Sweep(now);
        if (_nonces.Count >= MaxRememberedNonces)
        {
            throw new AuthenticationException(AuthenticationFailure.Replayed, "Too many signed requests in the window; use a session token.");
        }

        long expires = now + (2 * (long)Window.TotalMilliseconds);
        if (!_nonces.TryAdd(Convert.ToBase64String(request.Nonce), expires) ||
            (_sharedNonces is not null && !await _sharedNonces.SpendAsync(request.Nonce, expires, now).ConfigureAwait(false)))
        {
            throw new AuthenticationException(AuthenticationFailure.Replayed, "The nonce was used before.");
        }

        return new AuthenticatedDevice(request.AccountId, request.DeviceId, BySignature: true);
    }

    /// <summary>A new session token for a device a signed request authenticated, and when it expires.</summary>
    public (string Token, DateTimeOffset Expires) OpenSession(AuthenticatedDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!device.BySignature)
        {
            throw new AuthenticationException(AuthenticationFailure.Missing, "A session is opened by a signed request.");
        }

        byte[] token = RandomNumberGenerator.GetBytes(32);
        DateTimeOffset expires = _time.GetUtcNow() + SessionLifetime;
        var session = new Session(device.AccountId, device.DeviceId, (ulong)expires.ToUnixTimeMilliseconds());
        byte[] hash = SHA256.HashData(token);
        _store.PutSession(hash, session);
        _sessions[Convert.ToHexString(hash)] = session;
        return (System.Buffers.Text.Base64Url.EncodeToString(token), expires);
    }

    /// <summary>Authenticates a session token, as long as its device is still signed in.</summary>
    /// <exception cref="AuthenticationException">Unknown or expired, or the device was signed out.</exception>
    public async Task<AuthenticatedDevice> AuthenticateSessionAsync(string token)
    {
        byte[] raw;
        try
        {
            raw = System.Buffers.Text.Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            throw new AuthenticationException(AuthenticationFailure.Malformed, "The session token is not base64url.");
        }

        if (raw.Length != 32)
        {
            throw new AuthenticationException(AuthenticationFailure.Malformed, "A session token is 32 bytes.");
        }

        byte[] hash = SHA256.HashData(raw);
        string key = Convert.ToHexString(hash);
        if (!_sessions.TryGetValue(key, out Session? session))
        {
            session = _store.Session(hash);
            if (session is not null)
            {
                _sessions[key] = session;
            }
        }

        if (session is null || session.ExpiresMs <= (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds())
        {
            _sessions.TryRemove(key, out _);
            throw new AuthenticationException(AuthenticationFailure.SessionExpired, "The session token is unknown or expired; sign a new session request.");
        }

        if (await _requestKeyOf(session.AccountId, session.DeviceId).ConfigureAwait(false) is null)
        {
            _sessions.TryRemove(key, out _);
            throw new AuthenticationException(AuthenticationFailure.UnknownDevice, "The session's device is no longer signed in.");
        }

        return new AuthenticatedDevice(session.AccountId, session.DeviceId, BySignature: false);
    }

    private EcdsaP256PublicKey? ParsedKey(byte[] encoded)
    {
        string id = Convert.ToHexString(encoded);
        if (_keys.TryGetValue(id, out EcdsaP256PublicKey? key))
        {
            return key;
        }

        if (!EcdsaP256PublicKey.TryParse(encoded, out key))
        {
            return null;
        }

        if (_keys.Count >= MaxParsedKeys)
        {
            _keys.Clear(); // simple bound; the working set parses again
        }

        return _keys.GetOrAdd(id, key);
    }

    private void Sweep(long now)
    {
        if (now < Interlocked.Read(ref _nextSweep))
        {
            return;
        }

        Interlocked.Exchange(ref _nextSweep, now + 10_000);
        foreach ((string nonce, long expires) in _nonces)
        {
            if (expires <= now)
            {
                _nonces.TryRemove(nonce, out _);
            }
        }

        foreach ((string token, Session session) in _sessions)
        {
            if (session.ExpiresMs <= (ulong)now)
            {
                _sessions.TryRemove(token, out _);
            }
        }
    }
}
