using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OpenCkv.Directory.Authentication;

namespace OpenCkv.Server.Http;

/// <summary>
/// Authenticates the device behind a request (docs/ckv-protocol.md §3): a request signed with the device's request
/// key (the five CKV- headers over the exact method, raw path and query, and body), or — where the endpoint
/// allows it — a session token (<c>Authorization: Bearer …</c>) obtained by such a request. Endpoints that change
/// the account take signatures only.
/// </summary>
internal static class DeviceAuthentication
{
    public static async Task<AuthenticatedDevice> RequireAsync(HttpContext context, ServerState state, bool signatureRequired)
    {
        byte[] body = await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false);
        string? authorization = context.Request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            if (signatureRequired)
            {
                throw new AuthenticationException(AuthenticationFailure.Missing, "This request changes the account: sign it with the device's request key.");
            }

            return await state.Authenticator.AuthenticateSessionAsync(authorization["Bearer ".Length..].Trim()).ConfigureAwait(false);
        }

        // The path and query exactly as sent: what the device signed.
        string target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (context.Request.Path + context.Request.QueryString).ToString();
        SignedRequest signed = SignedRequest.FromHeaders(context.Request.Method, target, body, name => context.Request.Headers[name].FirstOrDefault())
            ?? throw new AuthenticationException(AuthenticationFailure.Missing, "Sign the request with the device's request key, or send a session token.");
        state.Limits.Signed(signed.DeviceId);
        return await state.Authenticator.AuthenticateAsync(signed).ConfigureAwait(false);
    }
}
