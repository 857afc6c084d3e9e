/** A portal page without a working token: the link was incomplete, has expired or was revoked. */
export function PortalUnavailable({ message }: { message?: string }) {
  return (
    <div className="sign-in">
      <section className="card sign-in-card">
        <h1>This portal link does not work</h1>
        <p className="muted">{message ?? 'The link is missing its access token.'}</p>
        <p className="muted">Ask the service that sent you here for a new link.</p>
      </section>
    </div>
  );
}
