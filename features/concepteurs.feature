# language: fr
@concepteurs
Fonctionnalité: Une étape ajoutée par un concepteur, testée sans Python
  Un concepteur ajoute au stage volontaire l'appel du conducteur par l'accueil, avant le stage :
  une tâche dans le couloir du groupe « Accueil », un formulaire fait dans le navigateur (le
  conducteur a-t-il été joint ?), une passerelle sur sa réponse et les statuts que le dossier
  affiche. Le processus modifié est l'exemple features/exemples/appel_conducteur.

  Contexte:
    Étant donné le groupe « Accueil » (accueil) réunit l'agent
    Et le processus « stage_volontaire » est déployé depuis l'exemple « appel_conducteur »
    Et un permis non probatoire avec 8 points au 01/01/2026
    Et que nous sommes le 02/03/2026

  Scénario: L'accueil joint le conducteur, le dossier attend son inscription
    Quand le conducteur demande un stage volontaire
    Alors le dossier affiche le statut « Conducteur à appeler »
    Et la tâche « Appeler le conducteur » est proposée au groupe « Accueil »
    Et un agent hors du groupe ne peut pas prendre la tâche « Appeler le conducteur »
    Quand l'agent complète la tâche « Appeler le conducteur » sans rien remplir
    Alors le formulaire est refusé : « Champ obligatoire. » pour le champ « joint »
    Quand l'agent complète la tâche « Appeler le conducteur » avec :
      | champ | valeur                       |
      | joint | oui                          |
      | note  | Stage confirmé au téléphone. |
    Alors le dossier affiche le statut « En attente d'inscription »

  Scénario: Le conducteur reste injoignable, l'accueil lui écrit
    Quand le conducteur demande un stage volontaire
    Et l'agent complète la tâche « Appeler le conducteur » avec :
      | champ | valeur |
      | joint | non    |
    Alors le dossier affiche le statut « Courrier au conducteur à envoyer »
    Et la tâche « Écrire au conducteur » est ouverte
