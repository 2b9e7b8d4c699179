module github.com/cassauth/cassauth/interop

go 1.26.0

require (
	github.com/cassauth/cassauth v0.0.0
	github.com/gocql/gocql v1.7.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/golang/snappy v0.0.3 // indirect
	github.com/hailocab/go-hostpool v0.0.0-20160125115350-e80d13ce29ed // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	gopkg.in/inf.v0 v0.9.1 // indirect
)

replace github.com/cassauth/cassauth => ../
