// Package interop holds the tests that drive cassauth's CQL front end
// (`cassauth serve --cql`) with real clients: the DataStax Python driver
// (Debian's python3-cassandra, run as /usr/bin/python3) and gocql. It is a
// separate module so that gocql never enters the library's go.mod. See
// README.md for the setups the tests cover and how to run them.
package interop
