package transport_test

import (
	"context"
	"fmt"
	"net"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/store/memstore"
	"github.com/cassauth/cassauth/transport"
)

// An embedding server serves cassauth's statements (DCL, USE, the system
// and auth tables) and hands everything else to its own handler. The
// client side here is the codec; a real deployment is reached with any
// Cassandra driver.
func ExampleNewServer() {
	ctx := context.Background()
	auth, err := cassauth.New(cassauth.Config{Authenticator: "PasswordAuthenticator", Authorizer: "CassandraAuthorizer",
		BcryptRounds: 4}, memstore.New(), cassauth.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer auth.Close()
	if err := auth.Setup(ctx); err != nil { // creates cassandra/cassandra
		fmt.Println(err)
		return
	}
	// The embedding server's own statements.
	mine := handlerFunc(func(_ context.Context, sess *transport.Session, q *transport.Query) (transport.Result, error) {
		fmt.Printf("server handles %q for %s\n", q.Query, sess.User().Name())
		return &transport.VoidResult{}, nil
	})
	h, err := transport.NewHandler(transport.HandlerConfig{Auth: auth, Next: mine})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv, err := transport.NewServer(transport.Config{Auth: auth, Handler: h})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(ctx, ln)

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	call := func(stream int16, m transport.Message) transport.Message {
		req, _ := transport.EncodeFrame(nil, transport.V4, stream, m)
		if _, err := conn.Write(req); err != nil {
			return &transport.ErrorResponse{Message: err.Error()}
		}
		f, err := transport.ReadFrame(conn, 0)
		if err != nil {
			return &transport.ErrorResponse{Message: err.Error()}
		}
		env, err := transport.DecodeEnvelope(f)
		if err != nil {
			return &transport.ErrorResponse{Message: err.Error()}
		}
		return env.Message
	}
	q := func(stream int16, text string) transport.Message {
		return call(stream, &transport.Query{Query: text, Params: transport.QueryParams{Consistency: transport.One}})
	}
	fmt.Println(call(1, &transport.Startup{Options: map[string]string{"CQL_VERSION": "3.4.7"}}).(*transport.Authenticate).Authenticator)
	fmt.Println(call(2, &transport.AuthResponse{Token: []byte("\x00cassandra\x00wrong")}).(*transport.ErrorResponse).Message)
	fmt.Printf("%T\n", call(3, &transport.AuthResponse{Token: []byte("\x00cassandra\x00cassandra")}))
	fmt.Printf("%T\n", q(4, "CREATE ROLE bob WITH LOGIN = true AND PASSWORD = 'pw'"))
	rows := q(5, "SELECT role, can_login FROM system_auth.roles WHERE role = 'bob'").(*transport.RowsResult)
	for _, row := range rows.Rows {
		login, _ := transport.Unmarshal(rows.Metadata.Columns[1].Type, row[1])
		fmt.Printf("%s can_login=%v\n", row[0], login)
	}
	fmt.Printf("%T\n", q(6, "INSERT INTO shop.orders (id) VALUES (1)"))
	// Output:
	// org.apache.cassandra.auth.PasswordAuthenticator
	// Provided username cassandra and/or password are incorrect
	// *transport.AuthSuccess
	// *transport.VoidResult
	// bob can_login=true
	// server handles "INSERT INTO shop.orders (id) VALUES (1)" for cassandra
	// *transport.VoidResult
}

// handlerFunc is a transport.Handler that runs QUERY with a function and
// prepares nothing.
type handlerFunc func(context.Context, *transport.Session, *transport.Query) (transport.Result, error)

func (f handlerFunc) Query(ctx context.Context, s *transport.Session, q *transport.Query) (transport.Result, error) {
	return f(ctx, s, q)
}

func (handlerFunc) Prepare(context.Context, *transport.Session, *transport.Prepare) (*transport.PreparedResult, error) {
	return nil, &transport.ErrorResponse{Code: transport.CodeInvalid, Message: "nothing to prepare"}
}

func (handlerFunc) Execute(_ context.Context, _ *transport.Session, e *transport.Execute) (transport.Result, error) {
	return nil, &transport.UnpreparedError{ID: e.ID}
}

var _ transport.Auth = (*cassauth.Auth)(nil)
