package conformance

import "github.com/cassauth/cassauth/store"

func needsCatalog(s store.Store) string {
	if _, ok := s.(store.Catalog); !ok {
		return "the store does not implement store.Catalog"
	}
	return ""
}

// catalogChecks cover the optional store.Catalog capability.
func catalogChecks() []storeCheck {
	return []storeCheck{
		{name: "AddHasListDrop", needs: needsCatalog, run: func(c *checker, s store.Store) {
			cat := s.(store.Catalog)
			names, err := cat.ListSchemaObjects(c.ctx, "")
			noErr(c, err, "ListSchemaObjects")
			wantEqual(c, len(names), 0, "schema objects in an empty store")
			for _, n := range []string{"data/ks", "data/ks/t2", "data/ks/t1", "data/other", "functions/ks/f[]"} {
				noErr(c, cat.AddSchemaObject(c.ctx, n), "AddSchemaObject(%q)", n)
			}
			wantOnly(c, cat.AddSchemaObject(c.ctx, "data/ks"), store.ErrExists, "AddSchemaObject of a recorded name")
			wantOnly(c, cat.AddSchemaObject(c.ctx, ""), store.ErrInvalid, "AddSchemaObject of an empty name")
			ok, err := cat.HasSchemaObject(c.ctx, "data/ks/t1")
			noErr(c, err, "HasSchemaObject")
			wantEqual(c, ok, true, "HasSchemaObject of a recorded name")
			ok, err = cat.HasSchemaObject(c.ctx, "data/ks/t3")
			noErr(c, err, "HasSchemaObject")
			wantEqual(c, ok, false, "HasSchemaObject of an unknown name")
			names, err = cat.ListSchemaObjects(c.ctx, "data/ks/")
			noErr(c, err, "ListSchemaObjects")
			wantStrings(c, names, []string{"data/ks/t1", "data/ks/t2"}, "ListSchemaObjects(data/ks/)")
			names, err = cat.ListSchemaObjects(c.ctx, "")
			noErr(c, err, "ListSchemaObjects")
			wantStrings(c, names, []string{"data/ks", "data/ks/t1", "data/ks/t2", "data/other", "functions/ks/f[]"}, "ListSchemaObjects()")
			noErr(c, cat.DropSchemaObject(c.ctx, "data/ks/t1"), "DropSchemaObject")
			wantOnly(c, cat.DropSchemaObject(c.ctx, "data/ks/t1"), store.ErrNotFound, "DropSchemaObject twice")
			ok, err = cat.HasSchemaObject(c.ctx, "data/ks/t1")
			noErr(c, err, "HasSchemaObject")
			wantEqual(c, ok, false, "HasSchemaObject after DropSchemaObject")
		}},
	}
}
